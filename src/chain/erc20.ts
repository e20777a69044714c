/**
 * What a party of either mechanism needs of an ERC-20 asset: the calls it makes and the errors a standard token
 * reverts with, so that a refusal is named too.
 */
import { Interface } from "ethers";

/**
 * The errors a standard token (OpenZeppelin's ERC-20 and EIP-2612, `IERC20Errors`) reverts with when
 * a contract pulls or pushes it: a refusal is then named too, not shown as raw data.
 */
export const TOKEN_ERRORS = new Interface([
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InvalidSender(address sender)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InvalidApprover(address approver)",
  "error ERC20InvalidSpender(address spender)",
  "error ERC2612ExpiredSignature(uint256 deadline)",
  "error ERC2612InvalidSigner(address signer, address owner)",
  "error SafeERC20FailedOperation(address token)",
]);

/** The standard ERC-20 calls the parties and the auditor make (EIP-2612's are in permit.ts). */
export const ERC20_ABI = [
  "function balanceOf(address owner) view returns (uint256)",
  "function decimals() view returns (uint8)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 amount) returns (bool)",
  "function transfer(address to, uint256 amount) returns (bool)",
] as const;
