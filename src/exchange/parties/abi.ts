/**
 * The ExchangeEscrow ABI in human-readable form, so that the parties library needs no Hardhat and no
 * build artifact at run time (test/exchange/parties.test.ts keeps it equal to the compiled one),
 * and the minimal ERC-20 calls a party makes for a token deal.
 */
import { Interface } from "ethers";

/** The `PayoutTable` struct. */
const TABLE = "(uint96 sellerDeposit, uint96 buyerDeposit, uint96[8] seller, uint96[8] buyer, uint64 minPrice)";

export const ESCROW_ABI = [
  "error DealExists(bytes32 id)",
  "error InsufficientBalance(address account, address asset, uint256 needed, uint256 available)",
  "error InvalidParties(address seller, address buyer)",
  "error InvalidShortString()",
  "error InvalidSignature(bytes32 id)",
  "error InvalidState(uint256 state)",
  "error NativeTransferFailed(address to, uint256 amount)",
  "error NonCanonicalTerms()",
  "error NotParty(address caller)",
  "error OfferExpired(bytes32 id, uint256 expiry)",
  "error OwnableInvalidOwner(address owner)",
  "error OwnableUnauthorizedAccount(address account)",
  "error PriceBelowMinimum(uint256 price, uint256 minPrice)",
  "error PriceTooLarge(uint256 price)",
  "error ReentrancyGuardReentrantCall()",
  "error SafeERC20FailedOperation(address token)",
  "error StringTooLong(string str)",
  "error TableEntryTooLarge(uint256 value)",
  "error TableOverpays(uint256 state)",
  "error TokenDeliveredLess(uint256 expected, uint256 received)",
  "error UnknownDeal(bytes32 id)",
  "error TooManyTables()",
  "error WrongFundingRoute(bool fromWallet)",
  "error UnknownTable(uint256 table)",
  "error UnsupportedAsset(address asset)",
  "error WrongNativeValue(uint256 expected, uint256 sent)",
  "error WrongStage(uint8 expected, uint8 actual)",
  "error ZeroAddress()",
  "error ZeroPrice()",
  "error ZeroWindow()",
  "event BalanceDeposited(address indexed account, address indexed asset, uint256 amount)",
  "event BalanceWithdrawn(address indexed account, address indexed asset, uint256 amount)",
  "event BurnRecipientSet(uint256 indexed setting, address recipient, uint256 since)",
  "event Complained(bytes32 indexed id)",
  "event Credited(bytes32 indexed id, address indexed account, address indexed asset, uint256 amount)",
  "event EIP712DomainChanged()",
  "event Faulted(bytes32 indexed id)",
  "event Finalized(bytes32 indexed id, uint8 state)",
  "event PaidWithPermit(bytes32 indexed id, address indexed offerer, uint256 amount)",
  "event OfferWithdrawn(bytes32 indexed id, uint256 refund)",
  "event Offered(bytes32 indexed id, address indexed seller, address indexed buyer, bytes32[4] terms)",
  "event Opened(bytes32 indexed id, address indexed seller, address indexed buyer, bytes32[4] terms)",
  "event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner)",
  "event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)",
  "event QualityConfirmed(bytes32 indexed id)",
  "event Redeemed(bytes32 indexed id, bool qualityConfirmed)",
  "event RefundRequested(bytes32 indexed id)",
  "event SignedOfferCancelled(bytes32 indexed id)",
  `event TableRegistered(uint256 indexed table, bytes32 indexed tableId, ${TABLE} content)`,
  "event WindowExpired(bytes32 indexed id, uint8 stage)",
  "function DEAD() view returns (address)",
  "function PUSH_GAS() view returns (uint256)",
  "function UNIT() view returns (uint256)",
  "function accept(bytes32[4] terms) payable",
  "function acceptOwnership()",
  "function acceptSigned(bytes32[4] terms, bytes signature) payable returns (bytes32 id)",
  "function acceptSignedWithPermit(bytes32[4] terms, bytes signature, " +
    "(uint256 deadline, uint8 v, bytes32 r, bytes32 s) permit) returns (bytes32 id)",
  "function balances(address account, address asset) view returns (uint256)",
  "function burnDestination(uint256 time, uint256 agreedSetting, address seller, address buyer) view returns (address)",
  "function burnSetting() view returns (uint256 setting, address recipient)",
  "function cancelOrFault(bytes32[4] terms)",
  "function cancelSigned(bytes32[4] terms)",
  "function complain(bytes32[4] terms)",
  "function confirmQuality(bytes32[4] terms)",
  "function dealId(bytes32[4] terms) view returns (bytes32)",
  "function deals(bytes32 id) view returns (uint40 deadline, uint8 stage, uint8 flags, uint40 createdAt)",
  "function deposit(address asset, uint256 amount) payable",
  "function depositsFor(uint256 table, uint256 price) view returns (uint256 seller, uint256 buyer)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, " +
    "address verifyingContract, bytes32 salt, uint256[] extensions)",
  "function finalize(bytes32[4] terms)",
  `function getTable(uint256 table) view returns (${TABLE} content)`,
  "function offer(bytes32[4] terms) payable returns (bytes32 id)",
  "function owner() view returns (address)",
  "function payouts(uint256 table, uint256 price, uint256 state) " +
    "view returns (uint256 seller, uint256 buyer, uint256 burn)",
  "function pendingOwner() view returns (address)",
  "function redeem(bytes32[4] terms, bool alsoConfirm)",
  `function registerTable(${TABLE} content) returns (uint256 table)`,
  "function renounceOwnership()",
  "function requestRefund(bytes32[4] terms)",
  "function setBurnRecipient(address recipient)",
  "function tableCount() view returns (uint256)",
  "function tableIdOf(uint256 table) view returns (bytes32)",
  "function tableOf(bytes32 tableId) view returns (uint256)",
  "function transferOwnership(address newOwner)",
  "function withdraw(address asset, uint256 amount)",
  "function withdrawOffer(bytes32[4] terms)",
];

export const ESCROW_INTERFACE = new Interface(ESCROW_ABI);

/**
 * The errors a standard token (OpenZeppelin's ERC-20 and EIP-2612, `IERC20Errors`) reverts with when
 * the escrow pulls or pushes it: a refusal is then named too, not shown as raw data.
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

export const ERC20_ABI = [
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 amount) returns (bool)",
  // EIP-2612 permits and their EIP-712 domain (ERC-5267).
  "function nonces(address owner) view returns (uint256)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, " +
    "address verifyingContract, bytes32 salt, uint256[] extensions)",
] as const;

/** The slot's stages, as `IExchangeEscrow.Stage` numbers them. */
export const STAGES = ["None", "Offered", "Redeem", "Complaint", "Fault", "Final", "Withdrawn"] as const;
export type StageName = (typeof STAGES)[number];
