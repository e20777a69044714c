// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IExchangeEscrow
 * @notice The core exchange's types, events, errors and external functions; see {ExchangeEscrow}
 * for the lifecycle. Amounts in a payout table are multiples of the price, 1e18 = the price.
 *
 * Return values are named in {ExchangeEscrow}. Here they are unnamed where they share a type, so
 * that swapping them (a mutation operator, see docs/mutation.md) is not an equivalent mutant.
 */
interface IExchangeEscrow {
    // ---------------------------------------------------------------- types

    /**
     * @notice Deposits and transfers per state, as multiples of the price (1e18 = the price), and
     * the smallest price the table is safe at.
     * @dev `minPrice` (p0), in base units of the deal's asset: the smallest price at which the
     * table's integer payouts (deposits rounded up, payouts down) keep honest play the unique
     * subgame-perfect equilibrium with every margin at least delta/2; computed off-chain by the
     * designer; 0 = no minimum. It is part of the table's content and so of its id.
     */
    struct PayoutTable {
        uint96 sellerDeposit;
        uint96 buyerDeposit;
        uint96[8] seller;
        uint96[8] buyer;
        uint64 minPrice;
    }

    /// @notice A deal's terms, fixed at the offer.
    struct Terms {
        address seller;
        address buyer;
        address asset; // address(0): native ETH
        uint128 price;
        bytes32 tableId;
        uint32 acceptWindow; // seconds the offer stays open
        uint32 redeemWindow;
        uint32 complaintWindow;
        uint32 faultWindow;
        bool sellerOffers; // who offered (and funded first)
    }

    enum Stage {
        None,
        Offered,
        Redeem,
        Complaint,
        Fault,
        Final,
        Withdrawn // the offer was withdrawn before acceptance
    }

    /// @notice One storage slot per deal.
    struct Deal {
        bytes25 termsHash;
        uint40 deadline; // end of the offer or of the current window
        Stage stage;
        uint8 flags; // messages received (FAULT, COMPLAINT, REDEEM) and payouts withdrawn
    }

    // ---------------------------------------------------------------- events

    event TableRegistered(bytes32 indexed tableId, PayoutTable table);
    event Offered(uint256 indexed id, Terms terms, uint256 sellerDeposit, uint256 buyerDeposit, uint256 deadline);
    event OfferWithdrawn(uint256 indexed id, uint256 refund);
    event Accepted(uint256 indexed id, uint256 redeemDeadline);
    event Redeemed(uint256 indexed id);
    event RefundRequested(uint256 indexed id);
    event Complained(uint256 indexed id);
    event QualityConfirmed(uint256 indexed id);
    event Faulted(uint256 indexed id);
    /// @notice The window of `stage` ended at its deadline without the party's message.
    event WindowExpired(uint256 indexed id, Stage stage);
    event Finalized(uint256 indexed id, uint8 state, uint256 sellerPayout, uint256 buyerPayout, uint256 burn);
    event PayoutWithdrawn(uint256 indexed id, address indexed account, uint256 amount);
    event BurnWithdrawn(address indexed asset, address indexed recipient, uint256 amount);
    event BurnRecipientSet(address recipient);

    // ---------------------------------------------------------------- errors

    error TableOverpays(uint256 state);
    error UnknownTable(bytes32 tableId);
    error InvalidParties(address seller, address buyer);
    error ZeroPrice();
    error PriceBelowMinimum(uint256 price, uint256 minPrice);
    error ZeroWindow();
    error UnknownDeal(uint256 id);
    error TermsMismatch(uint256 id);
    error NotParty(address caller);
    error WrongStage(Stage expected, Stage actual);
    error OfferExpired(uint256 id, uint256 deadline);
    error AlreadyWithdrawn(uint256 id, address account);
    error TokenDeliveredLess(uint256 expected, uint256 received);
    error ZeroAddress();
    error NotBurnRecipient(address caller);

    // ---------------------------------------------------------------- tables

    /**
     * @notice Registers a payout table (idempotent) and returns its id, the hash of its content.
     * Every state must pay out at most its pot: `seller[s] + buyer[s] <= sellerDeposit + buyerDeposit + 1`.
     */
    function registerTable(PayoutTable calldata table) external returns (bytes32 tableId);

    /// @notice Whether `tableId` is registered.
    function tableRegistered(bytes32 tableId) external view returns (bool);

    /// @notice A registered payout table.
    function getTable(bytes32 tableId) external view returns (PayoutTable memory table);

    /// @notice The deposits a deal at `price` under `tableId` requires (rounded up): seller, buyer.
    function depositsFor(bytes32 tableId, uint256 price) external view returns (uint256, uint256);

    // ---------------------------------------------------------------- offer and acceptance

    /**
     * @notice Offers a deal and pays the offerer's part in: the seller its deposit, the buyer its
     * deposit plus the price. For native ETH the value must match exactly. A price below the
     * table's `minPrice` is refused ({PriceBelowMinimum}).
     */
    function offer(Terms calldata terms) external payable returns (uint256 id);

    /// @notice The counterparty accepts an open offer and pays its part in; the redeem window opens.
    function accept(uint256 id, Terms calldata terms) external payable;

    /// @notice The offerer takes back an offer that was not accepted (at any time, expired or not).
    function withdrawOffer(uint256 id, Terms calldata terms) external;

    // ---------------------------------------------------------------- messages

    /**
     * @notice Buyer: the item was received (Redeem). With `alsoConfirm` the buyer also confirms
     * the quality ({confirmQuality}): its complaint window closes without complaint, straight to
     * the seller's fault window.
     */
    function redeem(uint256 id, Terms calldata terms, bool alsoConfirm) external;

    /// @notice Buyer: no redeem; a refund is requested. Ends the redeem window early.
    function requestRefund(uint256 id, Terms calldata terms) external;

    /// @notice Buyer: the quality was low (Complaint). Ends the complaint window.
    function complain(uint256 id, Terms calldata terms) external;

    /// @notice Buyer: no complaint. Ends the complaint window early.
    function confirmQuality(uint256 id, Terms calldata terms) external;

    /// @notice Seller: admits fault or cancels (CancelOrFault). Finalizes the deal.
    function cancelOrFault(uint256 id, Terms calldata terms) external;

    /**
     * @notice Finalizes a deal: the seller may end its fault window early (no fault); anyone may
     * once the last deadline has passed.
     */
    function finalize(uint256 id, Terms calldata terms) external;

    // ---------------------------------------------------------------- payouts

    /**
     * @notice The seller or the buyer withdraws its payout of a final deal, finalizing it when its
     * last deadline has passed. The seller withdrawing during its own fault window closes that
     * window without a fault (as {finalize} does) and is paid in the same call.
     */
    function withdraw(uint256 id, Terms calldata terms) external;

    /// @notice The burn recipient withdraws the remainders accrued in `asset`.
    function withdrawBurn(address asset) external;

    /// @notice Sets who receives the remainders. Remainders already accrued follow it.
    function setBurnRecipient(address recipient) external;

    // ---------------------------------------------------------------- views

    /// @notice The fixed-point one of payout tables: a table entry of `UNIT` is the price (1e18).
    // Why: the getter of a constant keeps the constant's name.
    // solhint-disable-next-line func-name-mixedcase
    function UNIT() external view returns (uint256);

    /// @notice Payouts of state `state` for a deal at `price` under `tableId` (seller, buyer, burn).
    function payouts(bytes32 tableId, uint256 price, uint256 state) external view returns (uint256, uint256, uint256);

    /// @notice A deal's slot ({Deal}).
    function deals(uint256 id) external view returns (bytes25 termsHash, uint40 deadline, Stage stage, uint8 flags);

    /// @notice How many deals were offered; the last deal's id.
    function dealCount() external view returns (uint256);

    /// @notice Remainders of finalized pots per asset, owed to the burn recipient.
    function burnAccrued(address asset) external view returns (uint256);

    /// @notice Who receives the remainders.
    function burnRecipient() external view returns (address);
}
