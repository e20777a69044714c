// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IExchangeEscrow
 * @notice The core exchange's types, events, errors and external functions; see {ExchangeEscrow}
 * for the lifecycle. Amounts in a payout table are multiples of the price, 1e18 = the price.
 *
 * A deal's terms travel packed in four words (`bytes32[4] terms`, see {PackedTerms}): seller,
 * buyer, asset (address(0): native ETH), price, payout table (its registration number), offer
 * expiry, the three windows, who offers, a salt, the burn setting agreed to and whether a signed
 * offer is paid by permit. Their EIP-712 hash (this contract and chain in the domain) is the deal's
 * id, so a deal stores no copy of them: every call passes them back. The offerer (the seller when
 * it offers, else the buyer) funds first: on chain with {offer}, or by signing the terms for the
 * counterparty to open with {acceptSigned}.
 *
 * Return values are named in {ExchangeEscrow}. Here they are unnamed where they share a type, so
 * that swapping them (a mutation operator, see docs/mutation.md) is not an equivalent mutant.
 */
interface IExchangeEscrow {
    // ---------------------------------------------------------------- types

    /**
     * @notice Deposits and transfers per state, as multiples of the price (1e18 = the price), and
     * the smallest price the table is safe at.
     * @dev `minPrice` (p0), in base units of the deal's asset: the smallest price from which on the
     * table's integer payouts (deposits rounded up, payouts down) keep honest play the unique
     * subgame-perfect equilibrium with every margin at least delta/2; computed off-chain by the
     * designer; 0 = no minimum. It is part of the table's content and so of its id. The escrow
     * stores entries in 64 bits: no entry may exceed 2^64 - 1 (18.4 times the price).
     */
    struct PayoutTable {
        uint96 sellerDeposit;
        uint96 buyerDeposit;
        uint96[8] seller;
        uint96[8] buyer;
        uint64 minPrice;
    }

    enum Stage {
        None,
        Offered, // on chain, the offerer's funds in
        Redeem,
        Complaint,
        Fault,
        Final,
        Withdrawn // the offer was withdrawn (its funds refunded) or, signed, cancelled
    }

    /// @notice An EIP-2612 permit's deadline and signature; owner, spender and value follow from the deal.
    struct Permit {
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice One storage slot per deal.
    struct Deal {
        uint40 deadline; // end of the offer or of the current window
        Stage stage;
        uint8 flags; // messages received: FAULT 1, COMPLAINT 2, REDEEM 4
        uint40 createdAt; // when the deal was created: its burn destination is the setting of then, if agreed
    }

    // ---------------------------------------------------------------- events

    /// @notice A payout table registered as number `table`; `tableId` is the hash of its content.
    event TableRegistered(uint256 indexed table, bytes32 indexed tableId, PayoutTable content);
    /// @notice An offer made on chain, the offerer's funds in.
    event Offered(bytes32 indexed id, address indexed seller, address indexed buyer, bytes32[4] terms);
    /**
     * @notice A deal opened: both parties' funds are in and the redeem window runs from this block.
     * Without an {Offered} before it, the deal was opened from a signed offer ({acceptSigned}), the
     * offerer's funds taken from its balance in the escrow (a flag here would cost every signed
     * trade 256 gas of log data for what the log already says).
     * Deposits follow from the table and the price ({depositsFor}).
     */
    event Opened(bytes32 indexed id, address indexed seller, address indexed buyer, bytes32[4] terms);
    /// @notice A signed offer's offerer paid its part from its wallet by a permit ({acceptSignedWithPermit}).
    event PaidWithPermit(bytes32 indexed id, address indexed offerer, uint256 amount);
    event OfferWithdrawn(bytes32 indexed id, uint256 refund);
    event SignedOfferCancelled(bytes32 indexed id);
    /// @notice The buyer redeemed; with `qualityConfirmed` it also waived its complaint.
    event Redeemed(bytes32 indexed id, bool qualityConfirmed);
    event RefundRequested(bytes32 indexed id);
    event Complained(bytes32 indexed id);
    event QualityConfirmed(bytes32 indexed id);
    event Faulted(bytes32 indexed id);
    /// @notice The window of `stage` ended at its deadline without the party's message.
    event WindowExpired(bytes32 indexed id, Stage stage);
    /**
     * @notice A deal ended in `state`: its payouts ({payouts}) were sent, or credited where a
     * transfer failed ({Credited}), and its remainder credited to its burn destination.
     */
    event Finalized(bytes32 indexed id, uint8 state);
    /**
     * @notice `amount` of a deal's money was credited to `account`'s balance in the escrow instead
     * of sent: a payout whose transfer failed, a refund likewise, or the deal's burn remainder.
     */
    event Credited(bytes32 indexed id, address indexed account, address indexed asset, uint256 amount);
    event BalanceDeposited(address indexed account, address indexed asset, uint256 amount);
    event BalanceWithdrawn(address indexed account, address indexed asset, uint256 amount);
    /**
     * @notice Burn-recipient setting number `setting`: deals created from `since` on (that agreed to
     * this setting in their terms) send their remainders to `recipient`.
     */
    event BurnRecipientSet(uint256 indexed setting, address recipient, uint256 since);

    // ---------------------------------------------------------------- errors

    error TableOverpays(uint256 state);
    error TableEntryTooLarge(uint256 value);
    error NonCanonicalTerms();
    error InvalidState(uint256 state);
    error UnknownTable(uint256 table);
    error TooManyTables();
    error InvalidParties(address seller, address buyer);
    error ZeroPrice();
    error PriceTooLarge(uint256 price);
    error PriceBelowMinimum(uint256 price, uint256 minPrice);
    error ZeroWindow();
    error UnknownDeal(bytes32 id);
    error DealExists(bytes32 id);
    error NotParty(address caller);
    error WrongStage(Stage expected, Stage actual);
    error OfferExpired(bytes32 id, uint256 expiry);
    error InvalidSignature(bytes32 id);
    error InsufficientBalance(address account, address asset, uint256 needed, uint256 available);
    error TokenDeliveredLess(uint256 expected, uint256 received);
    error ZeroAddress();
    /// @notice A signed offer opened by the route its terms do not name (`fromWallet`: by permit).
    error WrongFundingRoute(bool fromWallet);

    // ---------------------------------------------------------------- tables

    /**
     * @notice Registers a payout table and returns its registration number (from 1), by which terms
     * name it; a table registered before (the same content) keeps its number. Every state must pay
     * out at most its pot: `seller[s] + buyer[s] <= sellerDeposit + buyerDeposit + UNIT` (`UNIT`
     * being the price).
     */
    function registerTable(PayoutTable calldata content) external returns (uint256 table);

    /// @notice The number of the table whose content hashes to `tableId` (`keccak256(abi.encode(content))`), 0 if none.
    function tableOf(bytes32 tableId) external view returns (uint256);

    /// @notice The content hash of table number `table` (0 if none).
    function tableIdOf(uint256 table) external view returns (bytes32);

    /// @notice How many tables are registered (the latest table's number).
    function tableCount() external view returns (uint256);

    /// @notice Registered table number `table`.
    function getTable(uint256 table) external view returns (PayoutTable memory content);

    /// @notice The deposits a deal at `price` under table `table` requires (rounded up): seller, buyer.
    function depositsFor(uint256 table, uint256 price) external view returns (uint256, uint256);

    // ---------------------------------------------------------------- balances

    /**
     * @notice Pays `amount` of `asset` into the caller's balance in the escrow, from which its signed
     * offers are funded. For native ETH `msg.value` must equal `amount`.
     */
    function deposit(address asset, uint256 amount) external payable;

    /// @notice Withdraws `amount` of `asset` from the caller's balance (funds no open deal holds).
    function withdraw(address asset, uint256 amount) external;

    // ---------------------------------------------------------------- offers and opening

    /**
     * @notice Offers a deal on chain and pays the offerer's part in: the seller its deposit, the
     * buyer its deposit plus the price. A price below the table's `minPrice` is refused, and so is
     * an offer that has already expired.
     */
    function offer(bytes32[4] calldata terms) external payable returns (bytes32 id);

    /// @notice The counterparty accepts an on-chain offer before it expires and pays its part in.
    function accept(bytes32[4] calldata terms) external payable;

    /// @notice The offerer takes back an on-chain offer that was not accepted (expired or not).
    function withdrawOffer(bytes32[4] calldata terms) external;

    /**
     * @notice The counterparty opens a deal with terms the offerer signed (EIP-712; ERC-1271 for a
     * contract wallet) and pays its part in; the offerer's part comes from its balance in the
     * escrow. A signature opens at most one deal.
     */
    function acceptSigned(bytes32[4] calldata terms, bytes calldata signature) external payable returns (bytes32 id);

    /**
     * @notice As {acceptSigned}, for a token with EIP-2612 permits and terms whose `fromWallet` is set
     * (each opening refuses the other's terms): the offerer's part is taken from its wallet, approved
     * by `permit` (signed by the offerer for exactly its part, spender this escrow), instead of from
     * its balance here. A permit someone already submitted still counts (its allowance
     * stands). Native ETH is refused (`UnsupportedAsset(address(0))`).
     */
    function acceptSignedWithPermit(
        bytes32[4] calldata terms,
        bytes calldata signature,
        Permit calldata permit
    ) external returns (bytes32 id);

    /// @notice The offerer cancels its signed offer on chain, before anyone opens it.
    function cancelSigned(bytes32[4] calldata terms) external;

    // ---------------------------------------------------------------- messages

    /**
     * @notice Buyer: the item was received (Redeem). With `alsoConfirm` the buyer also waives its
     * complaint: straight to the seller's fault window.
     */
    function redeem(bytes32[4] calldata terms, bool alsoConfirm) external;

    /// @notice Buyer: no redeem; a refund is requested. Ends the redeem window early.
    function requestRefund(bytes32[4] calldata terms) external;

    /// @notice Buyer: the quality was low (Complaint). Ends the complaint window.
    function complain(bytes32[4] calldata terms) external;

    /// @notice Buyer: no complaint. Ends the complaint window early.
    function confirmQuality(bytes32[4] calldata terms) external;

    /// @notice Seller: admits fault or cancels (CancelOrFault). Finalizes the deal and pays out.
    function cancelOrFault(bytes32[4] calldata terms) external;

    /**
     * @notice Finalizes a deal and pays both parties: the seller may end its fault window early (no
     * fault); anyone may once the last deadline has passed. A payout whose transfer fails (or burns
     * its gas allowance) is credited to the payee's balance instead.
     */
    function finalize(bytes32[4] calldata terms) external;

    /**
     * @notice Starts a new burn-recipient setting, in force from the next second on: deals created
     * from then on that name it in their terms send their remainders to `recipient`; deals created
     * before keep theirs (so neither a pending deal nor one opened in the same block is affected),
     * and a signed offer naming an earlier setting still opens, with a true burn.
     */
    function setBurnRecipient(address recipient) external;

    // ---------------------------------------------------------------- views

    /// @notice The fixed-point one of payout tables: a table entry of `UNIT` is the price (1e18).
    // Why: the getter of a constant keeps the constant's name.
    // solhint-disable-next-line func-name-mixedcase
    function UNIT() external view returns (uint256);

    /// @notice A deal's id: the EIP-712 hash of its terms (what an offerer signs).
    function dealId(bytes32[4] calldata terms) external view returns (bytes32);

    /// @notice Payouts of state `state` for a deal at `price` under table `table` (seller, buyer, burn).
    function payouts(uint256 table, uint256 price, uint256 state) external view returns (uint256, uint256, uint256);

    /// @notice A deal's slot ({Deal}).
    function deals(bytes32 id) external view returns (uint40 deadline, Stage stage, uint8 flags, uint40 createdAt);

    /// @notice What `account` holds in the escrow in `asset`, free of any deal.
    function balances(address account, address asset) external view returns (uint256);

    /**
     * @notice The burn-recipient setting in force now (what an offer's `burnSetting` should name) and
     * its recipient.
     */
    function burnSetting() external view returns (uint256 setting, address recipient);

    /**
     * @notice Where the remainder of a deal created at `time` between `seller` and `buyer`, whose terms
     * agreed to setting `agreedSetting`, goes: the recipient of the setting in force then if it is the
     * agreed one and neither the seller nor the buyer, else the dead address.
     */
    function burnDestination(
        uint256 time,
        uint256 agreedSetting,
        address seller,
        address buyer
    ) external view returns (address);
}
