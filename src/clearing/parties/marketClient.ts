/**
 * An agent's and an owner's side of a deployed ClearingMarket, for any ethers v6 Signer (or a Provider,
 * read-only): join, deposit, submit a demand with consent to its charge, settle, withdraw, leave, close a
 * round; schedule parameters, set recipients, allow accounts; and an account's status (balances, the open
 * round, its price and deadline, what the account may do now). Every call waits for its receipt; a refusal
 * comes back as one line naming the contract's custom error. No Hardhat: only ethers and the market's model.
 *
 * Amounts (deposits, balances, fees) are in the asset's base units; quantities are 18-decimal fixed point.
 */
import type { Provider, Signer, TransactionReceipt } from "ethers";
import type { ClearingMarket } from "../../../typechain-types";
import { ContractClient } from "../../chain/client";
import { nextBlockTime } from "../../chain/clock";
import { type MarketSettings, rationingNames, stepRuleNames, toParamsInput } from "../model/settings";
import { reserveFor } from "../model/settlement";
import { MAX_QUANTITY } from "../model/types";
import { MARKET_ABI, MARKET_INTERFACE } from "./abi";

/** A call the market (or its token) refused, or one that cannot be made; the message is one line. */
export class MarketCallError extends Error {}

/** A parameter version as the contract stores it, with its rules by name. */
export interface MarketParams {
  version: number;
  capacity: bigint;
  tau: bigint;
  fixedFee: bigint;
  eta: bigint;
  startRound: bigint;
  rule: (typeof stepRuleNames)[number];
  rationing: (typeof rationingNames)[number];
  tolPrimal: bigint;
  tolDual: bigint;
  roundDuration: bigint;
}

/** The open round at the latest block. */
export interface OpenRound {
  round: bigint;
  deadline: bigint;
  /**
   * The time the next block will carry (`nextBlockTime`): the contract judges a call by its own block's time, and
   * the round takes submissions while that is before `deadline`.
   */
  now: bigint;
  /** Posted price `tau + mu` and shadow price `mu`. */
  price: bigint;
  mu: bigint;
  /** Agents that submitted, and that the early close waits for. */
  submitted: bigint;
  expected: bigint;
  totalDemand: bigint;
  /** The round can be closed now: past its deadline, or everyone expected submitted. */
  closable: boolean;
  params: MarketParams;
  /** A version scheduled for the next round, if any. */
  pendingVersion?: number;
}

/** An account's books and what it may do now. */
export interface AgentStatus {
  account: string;
  active: boolean;
  allowed: boolean;
  free: bigint;
  reserved: bigint;
  /** Its pending demand and the round it is for (0: none). */
  demand: bigint;
  round: bigint;
  /** The pending demand's round has closed: settling it (or any call of the agent) books its charge. */
  settleable: boolean;
  /** The agent submitted in the open round. */
  submittedNow: boolean;
  open: OpenRound;
  /** Calls the account may make now, by command name. */
  mayNow: string[];
}

export class MarketClient extends ContractClient<ClearingMarket> {
  constructor(runner: Signer | Provider, market: string) {
    super(runner, market, MARKET_ABI, "market client", [MARKET_INTERFACE], MarketCallError);
  }

  /** The same market for another runner. */
  connect(runner: Signer | Provider): MarketClient {
    return new MarketClient(runner, this.address);
  }

  // ------------------------------------------------------------ reading

  async params(version: number | bigint): Promise<MarketParams> {
    const p = await this.contract.params(version);
    return {
      version: Number(version),
      capacity: p.capacity,
      tau: p.tau,
      fixedFee: p.fixedFee,
      eta: p.eta,
      startRound: p.startRound,
      rule: stepRuleNames[Number(p.rule)],
      rationing: rationingNames[Number(p.rationing)],
      tolPrimal: p.tolPrimal,
      tolDual: p.tolDual,
      roundDuration: p.roundDuration,
    };
  }

  /** The open round, read at one block. */
  async openRound(): Promise<OpenRound> {
    const block = await this.provider.getBlock("latest");
    if (!block) throw new MarketCallError("market client: no latest block");
    const at = { blockTag: block.number };
    const s = await this.contract.state(at);
    const [[, , price, mu], expected, round, params] = await Promise.all([
      this.contract.currentRound(at),
      this.contract.expectedSubmitters(s.round, at),
      this.contract.rounds(s.round, at),
      this.params(s.version),
    ]);
    const now = await nextBlockTime(this.provider);
    // The contract's early close: everyone expected submitted, and not in the second the round opened.
    const early = s.submitted !== 0n && s.submitted === expected && now + params.roundDuration > s.deadline;
    return {
      round: s.round,
      deadline: s.deadline,
      now,
      price,
      mu,
      submitted: s.submitted,
      expected,
      totalDemand: round.totalDemand,
      closable: now >= s.deadline || early,
      params,
      pendingVersion: s.pendingVersion !== s.version ? Number(s.pendingVersion) : undefined,
    };
  }

  /** The asset's address (`ZeroAddress`: native ETH). */
  asset(): Promise<string> {
    return this.contract.asset();
  }

  /** `account`'s books and what it may do now. */
  async status(account: string): Promise<AgentStatus> {
    const [a, open, allowListOnly, allowed] = await Promise.all([
      this.contract.agents(account),
      this.openRound(),
      this.contract.allowListOnly(),
      this.contract.allowed(account),
    ]);
    const settleable = a.round !== 0n && a.round !== open.round;
    const submittedNow = a.round === open.round;
    const mayJoin = !a.active && (!allowListOnly || allowed);
    const free = a.free;
    const mayNow = [
      ...(mayJoin ? ["join"] : []),
      "deposit", // a balance needs no membership: it waits for a join
      ...(a.active && open.now < open.deadline ? ["submit"] : []),
      ...(settleable ? ["settle"] : []),
      ...(free > 0n || settleable ? ["withdraw"] : []),
      ...(a.active ? ["leave"] : []),
      ...(open.closable ? ["close"] : []),
    ];
    return {
      account,
      active: a.active,
      allowed: !allowListOnly || allowed,
      free,
      reserved: a.reserved,
      demand: a.demand,
      round: a.round,
      settleable,
      submittedNow,
      open,
      mayNow,
    };
  }

  /** What a demand of `quantity` reserves in the open round: the charge of a full allocation. */
  async reserveFor(quantity: bigint, open?: OpenRound): Promise<bigint> {
    const o = open ?? (await this.openRound());
    return reserveFor(quantity, o.price - o.mu, o.mu, o.params.fixedFee);
  }

  // ------------------------------------------------------------ an agent's calls

  /** Joins with an initial deposit (ETH as `msg.value`; a token is approved first). */
  async join(amount: bigint): Promise<TransactionReceipt> {
    const signer = this.requireSigner();
    const value = await this.payIn(signer, await this.asset(), amount);
    return this.send(this.as(signer), "join", [amount], { value });
  }

  async deposit(amount: bigint): Promise<TransactionReceipt> {
    const signer = this.requireSigner();
    const value = await this.payIn(signer, await this.asset(), amount);
    return this.send(this.as(signer), "deposit", [amount], { value });
  }

  /**
   * Submits (or revises) a demand for round `opts.round` (default: the open one), consenting to reserve at most
   * `opts.maxReserve` (default: exactly what the demand reserves at the price posted now). Naming the round
   * and the cap is what protects an agent from a close that lands first: the contract then refuses
   * (`WrongRound`, `ReserveAboveMax`) instead of charging a price the agent never saw.
   */
  async submit(
    quantity: bigint,
    opts: { round?: bigint; maxReserve?: bigint } = {},
  ): Promise<{ receipt: TransactionReceipt; round: bigint; maxReserve: bigint }> {
    if (quantity < 0n || quantity > MAX_QUANTITY) {
      throw new MarketCallError(`market client: quantity ${quantity} is outside 0 .. ${MAX_QUANTITY}`);
    }
    const open = await this.openRound();
    const round = opts.round ?? open.round;
    const maxReserve = opts.maxReserve ?? (await this.reserveFor(quantity, open));
    const signer = this.requireSigner();
    const receipt = await this.send(this.as(signer), "submitDemand", [round, quantity, maxReserve]);
    return { receipt, round, maxReserve };
  }

  /** Books `agent`'s pending charge and refund once its round closed (anyone may). */
  settle(agent: string): Promise<TransactionReceipt> {
    return this.send(this.as(this.requireSigner()), "settle", [agent]);
  }

  withdraw(amount: bigint): Promise<TransactionReceipt> {
    return this.send(this.as(this.requireSigner()), "withdraw", [amount]);
  }

  leave(): Promise<TransactionReceipt> {
    return this.send(this.as(this.requireSigner()), "leave", []);
  }

  /**
   * Closes the open round (anyone may, once it is closable), telling the uniform rule's descent where the water
   * level is now (`rationingLevel`): the close then reads the fewest words, whatever moved the level.
   */
  async closeRound(): Promise<TransactionReceipt> {
    const level = await this.contract.rationingLevel();
    return this.send(this.as(this.requireSigner()), "closeRoundWithHint", [level]);
  }

  /**
   * Pays ahead for the storage the closes before rounds `fromRound .. toRound - 1` create (their records and
   * result words: about 28,300 gas a round); anyone may. Rounds up to the open one are skipped.
   */
  prefillRounds(fromRound: bigint, toRound: bigint): Promise<TransactionReceipt> {
    return this.send(this.as(this.requireSigner()), "prefillRounds", [fromRound, toRound]);
  }

  /** Pays ahead for the first use of the uniform rule's tree words `from .. to - 1` (22,100 gas a word). */
  prefillRationingTree(from: number, to: number): Promise<TransactionReceipt> {
    return this.send(this.as(this.requireSigner()), "prefillRationingTree", [from, to]);
  }

  // ------------------------------------------------------------ the owner's and the recipients' calls

  /** Schedules a parameter version for the next round. */
  scheduleParams(settings: MarketSettings): Promise<TransactionReceipt> {
    const input = toParamsInput(settings);
    return this.send(this.as(this.requireSigner()), "scheduleParams", [input]);
  }

  setRecipients(fees: string, revenue: string): Promise<TransactionReceipt> {
    return this.send(this.as(this.requireSigner()), "setRecipients", [fees, revenue]);
  }

  setAllowed(account: string, allowed: boolean): Promise<TransactionReceipt> {
    return this.send(this.as(this.requireSigner()), "setAllowed", [account, allowed]);
  }

  withdrawFees(): Promise<TransactionReceipt> {
    return this.send(this.as(this.requireSigner()), "withdrawFees", []);
  }

  withdrawRevenue(): Promise<TransactionReceipt> {
    return this.send(this.as(this.requireSigner()), "withdrawRevenue", []);
  }
}
