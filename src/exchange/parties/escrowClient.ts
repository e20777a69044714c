/**
 * A party's side of an ExchangeEscrow deal, for any ethers v6 Signer (or a Provider, read-only):
 * sign an offer (EIP-712) or make one on chain, open a signed one, fund or drain the balance that
 * signed offers are paid from, send the buyer's and the seller's messages, finalize. Every call
 * checks what the party passed (`inputs.ts`), pays the caller's exact part (ETH as `msg.value`,
 * a token by approving the escrow first) and waits for the receipt. A revert comes back as one
 * line naming the contract's custom error. No Hardhat: only ethers, zod and the terms model.
 */
import { type Provider, type Signer, type TransactionReceipt, type TypedDataDomain, ZeroAddress } from "ethers";
import type { ExchangeEscrow } from "../../../typechain-types";
import {
  type PackedTerms,
  type Terms,
  TERMS_TYPES,
  dealIdOf,
  escrowDomain,
  packTerms,
  partiesOf,
} from "../model/terms";
import { DEFAULT_PAYOUT_TABLE } from "../model/defaultTable";
import { tableIdOf } from "../model/payoutTable";
import { ContractClient } from "../../chain/client";
import { ESCROW_ABI, ESCROW_INTERFACE } from "./abi";
import { EscrowCallError, describeRevert } from "./errors";
import { checkOfferTerms } from "./offerChecks";
import { type PermitSignature, signPermit } from "./permit";
import {
  EscrowInputError,
  type OfferTermsInput,
  type TermsInput,
  parseAddress,
  parseAmount,
  parseOfferTerms,
  parseSignature,
  parseTerms,
} from "./inputs";

/** What an offerer hands the counterparty: terms, their words, id, signature, and maybe its permit. */
export interface SignedOffer {
  terms: Terms;
  packed: PackedTerms;
  id: string;
  signature: string;
  permit?: PermitSignature;
}

/** Who pays what into a deal: the seller its deposit, the buyer its deposit plus the price. */
export interface DealAmounts {
  sellerDeposit: bigint;
  buyerDeposit: bigint;
  /** What the offerer pays in (on chain with `offer`, or from its balance when signed). */
  offerer: bigint;
  /** What the counterparty pays in with `accept` or `acceptSigned`. */
  counterparty: bigint;
}

export { EscrowCallError, describeRevert };

export class EscrowClient extends ContractClient<ExchangeEscrow> {
  private domainOf: Promise<TypedDataDomain> | undefined;

  constructor(runner: Signer | Provider, escrow: string) {
    super(runner, parseAddress("escrow", escrow), ESCROW_ABI, "escrow client", [ESCROW_INTERFACE], EscrowCallError);
  }

  /** The same escrow for another party. */
  connect(runner: Signer | Provider): EscrowClient {
    return new EscrowClient(runner, this.address);
  }

  /** The escrow's EIP-712 domain on the connected chain. */
  domain(): Promise<TypedDataDomain> {
    this.domainOf ??= this.provider.getNetwork().then((n) => escrowDomain(n.chainId, this.address));
    return this.domainOf;
  }

  /** A deal's id (its terms' EIP-712 hash), computed here without a call. */
  async dealId(terms: TermsInput | Terms): Promise<string> {
    return dealIdOf(await this.domain(), parseTerms(terms));
  }

  /** The deposits of a deal's table at its price, and what each side pays in. */
  async amounts(terms: TermsInput | Terms): Promise<DealAmounts> {
    const t = parseTerms(terms);
    const [sellerDeposit, buyerDeposit] = await this.contract.depositsFor(t.table, t.price);
    const buyerPays = buyerDeposit + t.price;
    return {
      sellerDeposit,
      buyerDeposit,
      offerer: t.sellerOffers ? sellerDeposit : buyerPays,
      counterparty: t.sellerOffers ? buyerPays : sellerDeposit,
    };
  }

  /** `account`'s free balance in the escrow (what its signed offers are funded from). */
  async balanceOf(account: string, asset: string = ZeroAddress): Promise<bigint> {
    return this.contract.balances(parseAddress("account", account), parseAddress("asset", asset));
  }

  /**
   * The number under which the shipped default table (`DEFAULT_PAYOUT_TABLE`, which the Ignition module
   * registers) is registered on this escrow; undefined where nobody registered it.
   */
  async defaultTable(): Promise<bigint | undefined> {
    const table = await this.contract.tableOf(tableIdOf(DEFAULT_PAYOUT_TABLE));
    return table === 0n ? undefined : table;
  }

  // ------------------------------------------------------------ offering and opening

  /**
   * The owner's burn-recipient setting in force now and its recipient: what a new offer's
   * `burnSetting` names, so that its remainders go there (a deal created under another setting burns them).
   */
  async burnSetting(): Promise<{ setting: bigint; recipient: string }> {
    const [setting, recipient] = await this.contract.burnSetting();
    return { setting, recipient };
  }

  /** The offer's terms, agreeing to the burn setting in force now where they name none; checked (`offerChecks.ts`). */
  async offerTerms(terms: OfferTermsInput | Terms): Promise<Terms> {
    const parsed = parseOfferTerms(terms);
    const t = { ...parsed, burnSetting: parsed.burnSetting ?? (await this.burnSetting()).setting };
    await checkOfferTerms(this.contract, t);
    return t;
  }

  /**
   * The offerer signs the terms (EIP-712); the counterparty opens the deal with `openSigned`.
   * Terms without `burnSetting` agree to the one in force now. With `permit` (a token with EIP-2612
   * only), the offerer also signs a permit for exactly its part, valid until the offer expires: its
   * part then comes from its wallet, not its balance in the escrow. A token counts one nonce per
   * owner, so of two permit offers signed at the same nonce only the first opened can use its permit.
   */
  async signOffer(terms: OfferTermsInput | Terms, opts: { permit?: boolean } = {}): Promise<SignedOffer> {
    const t = { ...(await this.offerTerms(terms)), fromWallet: Boolean(opts.permit) };
    const signer = await this.party(partiesOf(t).offerer, "the offerer");
    // The escrow checks the table's minimum price only when the offer is opened: a signer learns it now.
    const { minPrice } = await this.contract.getTable(t.table);
    if (t.price < minPrice) {
      throw new EscrowInputError(
        `escrow client: terms.price: ${t.price} is below table ${t.table}'s minimum price ${minPrice} ` +
          "(the escrow would refuse to open it)",
      );
    }
    const domain = await this.domain();
    const signature = await signer.signTypedData(domain, TERMS_TYPES, t);
    const offer: SignedOffer = { terms: t, packed: packTerms(t), id: dealIdOf(domain, t), signature };
    if (opts.permit) offer.permit = await signPermit(signer, this.address, t, (await this.amounts(t)).offerer);
    return offer;
  }

  /**
   * The counterparty opens a signed offer, paying its part; the offerer's comes from its balance, or
   * from its wallet where the offer carries a permit.
   */
  async openSigned(offer: {
    terms: TermsInput | Terms;
    signature: string;
    permit?: PermitSignature;
  }): Promise<TransactionReceipt> {
    const t = parseTerms(offer.terms);
    await checkOfferTerms(this.contract, t);
    const signature = parseSignature(offer.signature);
    const signer = await this.party(partiesOf(t).counterparty, "the counterparty");
    const value = await this.payIn(signer, t.asset, (await this.amounts(t)).counterparty);
    const { permit } = offer;
    if (t.fromWallet !== Boolean(permit)) {
      const why = t.fromWallet
        ? "its terms say it is paid by a permit, and it carries none"
        : "it carries a permit its terms do not name";
      throw new EscrowCallError(`escrow client: this signed offer cannot open: ${why}`);
    }
    if (permit) {
      return this.send(this.as(signer), "acceptSignedWithPermit", [packTerms(t), signature, permit]);
    }
    return this.send(this.as(signer), "acceptSigned", [packTerms(t), signature], { value });
  }

  /** The offerer offers on chain and pays its part in (terms without `burnSetting`: the one in force). */
  async offer(terms: OfferTermsInput | Terms): Promise<TransactionReceipt> {
    const t = await this.offerTerms(terms);
    const signer = await this.party(partiesOf(t).offerer, "the offerer");
    const value = await this.payIn(signer, t.asset, (await this.amounts(t)).offerer);
    return this.send(this.as(signer), "offer", [packTerms(t)], { value });
  }

  /** The counterparty accepts an on-chain offer and pays its part in. */
  async accept(terms: TermsInput | Terms): Promise<TransactionReceipt> {
    const t = parseTerms(terms);
    const signer = await this.party(partiesOf(t).counterparty, "the counterparty");
    const value = await this.payIn(signer, t.asset, (await this.amounts(t)).counterparty);
    return this.send(this.as(signer), "accept", [packTerms(t)], { value });
  }

  /** The offerer takes back an on-chain offer nobody accepted. */
  async withdrawOffer(terms: TermsInput | Terms): Promise<TransactionReceipt> {
    return this.byParty("withdrawOffer", terms, "offerer");
  }

  /** The offerer cancels its signed offer before anyone opens it. */
  async cancelSigned(terms: TermsInput | Terms): Promise<TransactionReceipt> {
    return this.byParty("cancelSigned", terms, "offerer");
  }

  // ------------------------------------------------------------ balance

  /** Pays `amount` of `asset` (default native ETH) into the caller's balance in the escrow. */
  async deposit(amount: bigint | number | string, asset: string = ZeroAddress): Promise<TransactionReceipt> {
    const a = parseAddress("asset", asset);
    const n = parseAmount("amount", amount);
    const signer = this.requireSigner();
    const value = await this.payIn(signer, a, n);
    return this.send(this.as(signer), "deposit", [a, n], { value });
  }

  /** Takes `amount` of `asset` out of the caller's balance in the escrow. */
  async withdraw(amount: bigint | number | string, asset: string = ZeroAddress): Promise<TransactionReceipt> {
    const a = parseAddress("asset", asset);
    const n = parseAmount("amount", amount);
    return this.send(this.as(this.requireSigner()), "withdraw", [a, n]);
  }

  // ------------------------------------------------------------ messages

  /** Buyer: the item arrived; with `confirm` the buyer also waives its complaint. */
  redeem(terms: TermsInput | Terms, confirm = false): Promise<TransactionReceipt> {
    return this.byParty("redeem", terms, "buyer", confirm);
  }

  /** Buyer: nothing arrived, a refund is asked for. */
  requestRefund(terms: TermsInput | Terms): Promise<TransactionReceipt> {
    return this.byParty("requestRefund", terms, "buyer");
  }

  /** Buyer: the quality was low. */
  complain(terms: TermsInput | Terms): Promise<TransactionReceipt> {
    return this.byParty("complain", terms, "buyer");
  }

  /** Buyer: no complaint (ends the complaint window early). */
  confirmQuality(terms: TermsInput | Terms): Promise<TransactionReceipt> {
    return this.byParty("confirmQuality", terms, "buyer");
  }

  /** Seller: admits fault or cancels (`cancelOrFault`); the deal ends and pays out. */
  admitFault(terms: TermsInput | Terms): Promise<TransactionReceipt> {
    return this.byParty("cancelOrFault", terms, "seller");
  }

  /** Ends the deal and pays out: the seller in its fault window, anyone after the last deadline. */
  async finalize(terms: TermsInput | Terms): Promise<TransactionReceipt> {
    const p = packTerms(parseTerms(terms));
    return this.send(this.as(this.requireSigner()), "finalize", [p]);
  }

  // ------------------------------------------------------------ internals

  /** The signer, checked to be `who` (an address of the terms). */
  private async party(who: string, role: string): Promise<Signer> {
    const signer = this.requireSigner();
    const me = await signer.getAddress();
    if (me.toLowerCase() !== who.toLowerCase()) {
      throw new EscrowCallError(`escrow client: ${me} is not ${role} of these terms (${who})`);
    }
    return signer;
  }

  /** `method` on the terms (and `rest`), sent by the party of the terms in `role`. */
  private async byParty(
    method: string,
    terms: TermsInput | Terms,
    role: "offerer" | "seller" | "buyer",
    ...rest: unknown[]
  ): Promise<TransactionReceipt> {
    const t = parseTerms(terms);
    const who = role === "offerer" ? partiesOf(t).offerer : t[role];
    const signer = await this.party(who, `the ${role}`);
    return this.send(this.as(signer), method, [packTerms(t), ...rest]);
  }
}
