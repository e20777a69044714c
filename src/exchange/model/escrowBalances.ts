/**
 * The balances part of the `ExchangeEscrow` model (see `exchangeEscrow.ts`): `balances(account, asset)`,
 * `deposit`, `withdraw`, credits, and the owner's burn-recipient settings with `burnDestination`.
 */
export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
export const DEAD = "0x000000000000000000000000000000000000dEaD";

export const lower = (a: string): string => a.toLowerCase();

/** A revert of the contract: the custom error's name and arguments (addresses as given, numbers as bigint). */
export class EscrowError extends Error {
  constructor(
    readonly errorName: string,
    readonly args: readonly unknown[] = [],
  ) {
    super(`${errorName}(${args.map(String).join(", ")})`);
  }
}

/** A setting of the burn recipient: in force from `since` (the contract stores it in 40 bits). */
export interface BurnSetting {
  since: bigint;
  recipient: string;
}

export interface EscrowModelOptions {
  /** Whether a push of `asset` to `account` (with the gas allowance) arrives; else it is credited. Default: yes. */
  pushSucceeds?: (account: string, asset: string) => boolean;
  /** `AssetTransfer.requireSupported`: ETH, or an address with code. Default: every asset. */
  assetSupported?: (asset: string) => boolean;
}

export class Balances {
  /** By `account|asset`, lower-case. */
  private balances = new Map<string, bigint>();
  /** The owner's settings, in the order made (`since` ascending). */
  burnSettings: BurnSetting[];
  readonly owner: string;

  constructor(
    owner: string,
    burnRecipient: string,
    private readonly options: EscrowModelOptions = {},
  ) {
    this.owner = owner;
    if (BigInt(burnRecipient) === 0n) throw new EscrowError("ZeroAddress");
    this.burnSettings = [{ since: 0n, recipient: burnRecipient }];
  }

  /** A function that restores the balances and settings as they are now. */
  protected saveBalances(): () => void {
    const balances = new Map(this.balances);
    const settings = [...this.burnSettings];
    return () => {
      this.balances = balances;
      this.burnSettings = settings;
    };
  }

  balanceOf(account: string, asset: string): bigint {
    return this.balances.get(`${lower(account)}|${lower(asset)}`) ?? 0n;
  }

  protected setBalance(account: string, asset: string, amount: bigint): void {
    this.balances.set(`${lower(account)}|${lower(asset)}`, amount);
  }

  /** Sum of every account's balance of `asset`. */
  protected balanceTotal(asset: string): bigint {
    let sum = 0n;
    for (const [key, v] of this.balances) if (key.endsWith(`|${lower(asset)}`)) sum += v;
    return sum;
  }

  /** `_credit`: a payout whose push failed, or a deal's burn. */
  protected credit(asset: string, to: string, amount: bigint): void {
    this.setBalance(to, asset, this.balanceOf(to, asset) + amount);
  }

  /** `AssetTransfer.requireSupported`. */
  protected supports(asset: string): boolean {
    return this.options.assetSupported?.(asset) ?? true;
  }

  /** Whether a transfer of `asset` to `account` arrives (a push, or a withdrawal). */
  protected arrives(account: string, asset: string): boolean {
    return this.options.pushSucceeds?.(account, asset) ?? true;
  }

  /** `deposit` (the caller of the model pulls the asset in). */
  deposit(caller: string, asset: string, amount: bigint): void {
    if (!this.supports(asset)) throw new EscrowError("UnsupportedAsset", [asset]);
    this.setBalance(caller, asset, this.balanceOf(caller, asset) + amount);
  }

  /**
   * `withdraw`: the transfer forwards all gas and reverts the call if it fails (`arrives`):
   * `NativeTransferFailed` for ETH, the token's own error otherwise (here `TokenTransferFailed`).
   */
  withdraw(caller: string, asset: string, amount: bigint): void {
    const available = this.balanceOf(caller, asset);
    if (amount > available) throw new EscrowError("InsufficientBalance", [caller, asset, amount, available]);
    if (amount !== 0n && !this.arrives(caller, asset)) {
      const native = BigInt(asset) === 0n;
      throw new EscrowError(native ? "NativeTransferFailed" : "TokenTransferFailed", native ? [caller, amount] : []);
    }
    this.setBalance(caller, asset, available - amount);
  }

  /** `setBurnRecipient`: by the owner, in force from the next second. */
  setBurnRecipient(caller: string, recipient: string, now: bigint): void {
    if (lower(caller) !== lower(this.owner)) throw new EscrowError("OwnableUnauthorizedAccount", [caller]);
    if (BigInt(recipient) === 0n) throw new EscrowError("ZeroAddress");
    // As the contract: the next second, saturating at the largest 40-bit time.
    const max = (1n << 40n) - 1n;
    this.burnSettings.push({ since: now + 1n < max ? now + 1n : max, recipient });
  }

  /** `_burnSettingAt`: the contract's binary search over the settings; the setting in force at `time`. */
  burnSettingAt(time: bigint): { setting: bigint; recipient: string } {
    let low = 0;
    let high = this.burnSettings.length;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (this.burnSettings[mid].since <= time) low = mid;
      else high = mid;
    }
    return { setting: BigInt(low), recipient: this.burnSettings[low].recipient };
  }

  /**
   * Where a deal created at `time` whose terms agreed to `agreedSetting` credits its burn: the
   * recipient in force then if it is the agreed setting and not a party, else DEAD.
   */
  burnDestination(time: bigint, agreedSetting: bigint, seller: string, buyer: string): string {
    const { setting, recipient: r } = this.burnSettingAt(time);
    return setting !== agreedSetting || lower(r) === lower(seller) || lower(r) === lower(buyer) ? DEAD : r;
  }
}
