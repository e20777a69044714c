/**
 * What the parties' clients of both mechanisms share: a contract bound to a signer (or a provider, read-only),
 * calls simulated in the next block and only then sent, a token approved before the contract pulls it, and a
 * refusal turned into the client's one-line error naming the contract's custom error. Needs only ethers.
 */
import {
  type BaseContract,
  Contract,
  type Interface,
  type InterfaceAbi,
  type Overrides,
  type Provider,
  type Signer,
  type TransactionReceipt,
  ZeroAddress,
} from "ethers";
import { ERC20_ABI, TOKEN_ERRORS } from "./erc20";
import { describeRevert } from "./revert";
import { simulateAndSend } from "./send";

/** The one-line error a client throws (`EscrowCallError`, `MarketCallError`). */
export type CallErrorClass = new (message: string, options?: { cause?: unknown }) => Error;

const isSigner = (r: Signer | Provider): r is Signer => typeof (r as Signer).getAddress === "function";

export abstract class ContractClient<C extends BaseContract> {
  readonly address: string;
  /** The contract bound to the runner (typechain's type over the library's own ABI). */
  readonly contract: C;
  readonly provider: Provider;
  protected readonly signer: Signer | undefined;
  /**
   * Told before a call sends a token approval of its own (`payIn`), so that a page can show that transaction
   * too: an approval is a second transaction the wallet asks for.
   */
  onApprove?: (token: string, amount: bigint) => void;

  /**
   * @param label  how the client names itself in its errors (`escrow client`)
   * @param errors the interfaces whose custom errors a refusal is decoded with (a token's are added)
   */
  protected constructor(
    runner: Signer | Provider,
    address: string,
    abi: InterfaceAbi,
    private readonly label: string,
    private readonly errors: readonly Interface[],
    private readonly CallError: CallErrorClass,
  ) {
    this.address = address;
    this.contract = new Contract(address, abi, runner) as unknown as C;
    this.signer = isSigner(runner) ? runner : undefined;
    const provider = isSigner(runner) ? runner.provider : runner;
    if (!provider) throw new CallError(`${label}: the signer has no provider`);
    this.provider = provider;
  }

  protected requireSigner(): Signer {
    if (!this.signer) throw new this.CallError(`${this.label}: connected to a provider: a transaction needs a signer`);
    return this.signer;
  }

  protected as(signer: Signer): C {
    return this.contract.connect(signer) as C;
  }

  /** The `msg.value` for paying `amount` of `asset` in; for a token, approves the contract first if needed. */
  protected async payIn(signer: Signer, asset: string, amount: bigint): Promise<bigint> {
    if (asset === ZeroAddress) return amount;
    const token = new Contract(asset, ERC20_ABI, signer);
    const allowance = (await token.allowance(await signer.getAddress(), this.address)) as bigint;
    if (allowance < amount) {
      this.onApprove?.(asset, amount);
      await this.send(token, "approve", [this.address, amount]);
    }
    return 0n;
  }

  /**
   * Sends `method(...args)` and waits for its receipt; a refusal is one line naming the custom error. The call
   * is simulated first, in the next block: a refused one is then never sent, so it costs nothing and mines
   * nothing, also where transactions go out with a fixed gas limit and no estimate (Hardhat's networks would
   * mine a reverting transaction and charge its gas).
   */
  protected async send(
    contract: BaseContract,
    method: string,
    args: unknown[],
    overrides: Overrides = {},
  ): Promise<TransactionReceipt> {
    try {
      return await simulateAndSend(contract, method, args, overrides);
    } catch (e) {
      const why = describeRevert(e, [...this.errors, TOKEN_ERRORS]);
      throw new this.CallError(`${this.label}: ${method} reverted: ${why}`, { cause: e });
    }
  }
}
