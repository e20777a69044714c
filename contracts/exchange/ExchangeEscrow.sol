// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AssetTransfer} from "../common/AssetTransfer.sol";
import * as Units from "../common/Units.sol";
import {IExchangeEscrow} from "./IExchangeEscrow.sol";

/**
 * @title ExchangeEscrow
 * @notice The core exchange: a seller and a buyer put deposits and the price into escrow; the
 * messages Redeem (buyer), Complaint (buyer) and CancelOrFault (seller) decide one of 8 final
 * states, and a payout table, designed off-chain by linear programming so that honest play is
 * the unique subgame-perfect equilibrium, pays each state out.
 *
 * Many deals live in one contract. A payout table is registered once (content-addressed by
 * its hash) and referenced by any number of deals. To keep a trade cheap a deal stores one slot:
 * a 200-bit hash of its terms, its stage, deadline and messages; every call passes the terms
 * back and the contract checks them against the hash. Events carry the terms in full.
 *
 * Amounts: the table holds deposits and transfers as multiples of the price, 1e18 = the price.
 * Deposits round up, payouts round down, and the remainder of the pot (seller deposit + buyer
 * deposit + price) goes to the burn recipient, so no state pays out more than its pot. Rounding
 * weighs more at small prices: a table names the smallest price it stays safe at (`minPrice`,
 * in base units of the asset) and an offer below it is refused.
 *
 * Lifecycle: offered (offerer's funds in) -> accepted (counterparty's funds in) or the offer is
 * withdrawn by its offerer (at any time before acceptance, and after it expired) -> redeem
 * window -> complaint window -> fault window -> final -> each party withdraws its payout.
 * A party ends its own window early by sending its message (or declining to); after a deadline
 * any call moves the deal on, so no party can lock funds by going silent. Windows that expire
 * chain from deadline to deadline.
 *
 * State index: `4 * R + 2 * C + CF`, each bit set when that message was received.
 */
contract ExchangeEscrow is IExchangeEscrow, Ownable2Step, ReentrancyGuardTransient {
    /// @inheritdoc IExchangeEscrow
    /// @dev The shared `UNIT` of `common/Units.sol`, kept readable on chain by this getter.
    uint256 public constant UNIT = Units.UNIT;
    uint8 private constant FAULT = 1;
    uint8 private constant COMPLAINT = 2;
    uint8 private constant REDEEM = 4;
    uint8 private constant SELLER_PAID = 8;
    uint8 private constant BUYER_PAID = 16;

    /**
     * @dev A registered table; the flag shares the deposits' slot (200 bits). `minPrice` does not
     * fit there too (200 + 64 > 256), so it has slot 1 to itself and an offer reads two slots (one
     * more cold read, about 2,100 gas). Dropping the flag would fill slot 0 exactly (96 + 96 + 64)
     * but leave no bit to tell a registered table whose deposits and `minPrice` are all 0 from no
     * table, and any other place for the flag costs the offer the same second read; so the flag
     * stays. Registering a table with `minPrice` 0 writes 0 over 0, so it takes no new slot.
     */
    struct StoredTable {
        uint96 sellerDeposit;
        uint96 buyerDeposit;
        bool registered;
        uint64 minPrice;
        uint96[8] seller;
        uint96[8] buyer;
    }

    mapping(bytes32 tableId => StoredTable) private _tables;
    /// @inheritdoc IExchangeEscrow
    mapping(uint256 id => Deal) public deals;
    /// @inheritdoc IExchangeEscrow
    uint256 public dealCount;
    /// @inheritdoc IExchangeEscrow
    mapping(address asset => uint256) public burnAccrued;
    /// @inheritdoc IExchangeEscrow
    address public burnRecipient;

    constructor(address owner, address burnRecipient_) Ownable(owner) {
        if (burnRecipient_ == address(0)) revert ZeroAddress();
        burnRecipient = burnRecipient_;
        emit BurnRecipientSet(burnRecipient_);
    }

    // ---------------------------------------------------------------- tables

    /// @inheritdoc IExchangeEscrow
    function registerTable(PayoutTable calldata table) external returns (bytes32 tableId) {
        uint256 pot = uint256(table.sellerDeposit) + table.buyerDeposit + UNIT;
        for (uint256 s = 0; s < 8; ++s) {
            if (uint256(table.seller[s]) + table.buyer[s] > pot) revert TableOverpays(s);
        }
        tableId = keccak256(abi.encode(table));
        StoredTable storage stored = _tables[tableId];
        if (stored.registered) return tableId;
        stored.sellerDeposit = table.sellerDeposit;
        stored.buyerDeposit = table.buyerDeposit;
        stored.registered = true;
        stored.minPrice = table.minPrice;
        stored.seller = table.seller;
        stored.buyer = table.buyer;
        emit TableRegistered(tableId, table);
    }

    /// @inheritdoc IExchangeEscrow
    function tableRegistered(bytes32 tableId) public view returns (bool) {
        return _tables[tableId].registered;
    }

    /// @inheritdoc IExchangeEscrow
    function getTable(bytes32 tableId) external view returns (PayoutTable memory table) {
        StoredTable storage t = _tables[tableId];
        return PayoutTable(t.sellerDeposit, t.buyerDeposit, t.seller, t.buyer, t.minPrice);
    }

    /// @inheritdoc IExchangeEscrow
    function depositsFor(bytes32 tableId, uint256 price) public view returns (uint256 seller, uint256 buyer) {
        StoredTable storage t = _tables[tableId];
        seller = Math.mulDiv(t.sellerDeposit, price, UNIT, Math.Rounding.Ceil);
        buyer = Math.mulDiv(t.buyerDeposit, price, UNIT, Math.Rounding.Ceil);
    }

    // ---------------------------------------------------------------- offer and acceptance

    /// @inheritdoc IExchangeEscrow
    function offer(Terms calldata terms) external payable nonReentrant returns (uint256 id) {
        if (terms.seller == address(0) || terms.buyer == address(0) || terms.seller == terms.buyer) {
            revert InvalidParties(terms.seller, terms.buyer);
        }
        if (terms.price == 0) revert ZeroPrice();
        if (terms.acceptWindow == 0 || terms.redeemWindow == 0 || terms.complaintWindow == 0 || terms.faultWindow == 0)
            revert ZeroWindow();
        StoredTable storage table = _tables[terms.tableId];
        if (!table.registered) revert UnknownTable(terms.tableId);
        if (terms.price < table.minPrice) revert PriceBelowMinimum(terms.price, table.minPrice);
        AssetTransfer.requireSupported(terms.asset);
        address offerer = terms.sellerOffers ? terms.seller : terms.buyer;
        if (msg.sender != offerer) revert NotParty(msg.sender);

        (uint256 sellerDeposit, uint256 buyerDeposit) = depositsFor(terms.tableId, terms.price);
        id = ++dealCount;
        uint256 deadline = block.timestamp + terms.acceptWindow;
        deals[id] = Deal({termsHash: _hash(terms), deadline: uint40(deadline), stage: Stage.Offered, flags: 0});
        emit Offered(id, terms, sellerDeposit, buyerDeposit, deadline);
        _pullExact(terms.asset, terms.sellerOffers ? sellerDeposit : buyerDeposit + terms.price);
    }

    /// @inheritdoc IExchangeEscrow
    function accept(uint256 id, Terms calldata terms) external payable nonReentrant {
        Deal memory d = _load(id, terms);
        if (d.stage != Stage.Offered) revert WrongStage(Stage.Offered, d.stage);
        if (block.timestamp >= d.deadline) revert OfferExpired(id, d.deadline);
        address counterparty = terms.sellerOffers ? terms.buyer : terms.seller;
        if (msg.sender != counterparty) revert NotParty(msg.sender);
        (uint256 sellerDeposit, uint256 buyerDeposit) = depositsFor(terms.tableId, terms.price);
        d.stage = Stage.Redeem;
        d.deadline = uint40(block.timestamp + terms.redeemWindow);
        deals[id] = d;
        emit Accepted(id, d.deadline);
        _pullExact(terms.asset, terms.sellerOffers ? buyerDeposit + terms.price : sellerDeposit);
    }

    /// @inheritdoc IExchangeEscrow
    function withdrawOffer(uint256 id, Terms calldata terms) external nonReentrant {
        Deal memory d = _load(id, terms);
        if (d.stage != Stage.Offered) revert WrongStage(Stage.Offered, d.stage);
        address offerer = terms.sellerOffers ? terms.seller : terms.buyer;
        if (msg.sender != offerer) revert NotParty(msg.sender);
        (uint256 sellerDeposit, uint256 buyerDeposit) = depositsFor(terms.tableId, terms.price);
        uint256 refund = terms.sellerOffers ? sellerDeposit : buyerDeposit + terms.price;
        deals[id].stage = Stage.Withdrawn;
        emit OfferWithdrawn(id, refund);
        AssetTransfer.pushOut(terms.asset, msg.sender, refund);
    }

    // ---------------------------------------------------------------- messages

    /// @inheritdoc IExchangeEscrow
    function redeem(uint256 id, Terms calldata terms, bool alsoConfirm) external {
        Deal memory d = _buyerAt(id, terms, Stage.Redeem);
        d.flags |= REDEEM;
        emit Redeemed(id);
        if (alsoConfirm) {
            emit QualityConfirmed(id);
            _enter(d, Stage.Fault, terms.faultWindow);
        } else {
            _enter(d, Stage.Complaint, terms.complaintWindow);
        }
        deals[id] = d;
    }

    /// @inheritdoc IExchangeEscrow
    function requestRefund(uint256 id, Terms calldata terms) external {
        Deal memory d = _buyerAt(id, terms, Stage.Redeem);
        emit RefundRequested(id);
        _enter(d, Stage.Complaint, terms.complaintWindow);
        deals[id] = d;
    }

    /// @inheritdoc IExchangeEscrow
    function complain(uint256 id, Terms calldata terms) external {
        Deal memory d = _buyerAt(id, terms, Stage.Complaint);
        d.flags |= COMPLAINT;
        emit Complained(id);
        _enter(d, Stage.Fault, terms.faultWindow);
        deals[id] = d;
    }

    /// @inheritdoc IExchangeEscrow
    function confirmQuality(uint256 id, Terms calldata terms) external {
        Deal memory d = _buyerAt(id, terms, Stage.Complaint);
        emit QualityConfirmed(id);
        _enter(d, Stage.Fault, terms.faultWindow);
        deals[id] = d;
    }

    /// @inheritdoc IExchangeEscrow
    function cancelOrFault(uint256 id, Terms calldata terms) external {
        Deal memory d = _sellerAtFault(id, terms);
        d.flags |= FAULT;
        emit Faulted(id);
        _finalize(id, terms, d);
        deals[id] = d;
    }

    /// @inheritdoc IExchangeEscrow
    function finalize(uint256 id, Terms calldata terms) external {
        Deal memory d = _load(id, terms);
        if (d.stage == Stage.Final) revert WrongStage(Stage.Fault, d.stage);
        d = _advance(id, terms, d);
        if (d.stage == Stage.Fault && msg.sender == terms.seller) _finalize(id, terms, d);
        if (d.stage != Stage.Final) revert WrongStage(Stage.Final, d.stage);
        deals[id] = d;
    }

    // ---------------------------------------------------------------- payouts

    /// @inheritdoc IExchangeEscrow
    function withdraw(uint256 id, Terms calldata terms) external nonReentrant {
        Deal memory d = _advance(id, terms, _load(id, terms));
        if (d.stage == Stage.Fault && msg.sender == terms.seller) _finalize(id, terms, d);
        if (d.stage != Stage.Final) revert WrongStage(Stage.Final, d.stage);
        bool isSeller = msg.sender == terms.seller;
        if (!isSeller && msg.sender != terms.buyer) revert NotParty(msg.sender);
        uint8 paid = isSeller ? SELLER_PAID : BUYER_PAID;
        if (d.flags & paid != 0) revert AlreadyWithdrawn(id, msg.sender);
        d.flags |= paid;
        deals[id] = d;
        uint256 amount = _share(terms.tableId, terms.price, d.flags & 7, isSeller);
        emit PayoutWithdrawn(id, msg.sender, amount);
        AssetTransfer.pushOut(terms.asset, msg.sender, amount);
    }

    /// @inheritdoc IExchangeEscrow
    function withdrawBurn(address asset) external nonReentrant {
        if (msg.sender != burnRecipient) revert NotBurnRecipient(msg.sender);
        uint256 amount = burnAccrued[asset];
        burnAccrued[asset] = 0;
        emit BurnWithdrawn(asset, msg.sender, amount);
        AssetTransfer.pushOut(asset, msg.sender, amount);
    }

    /// @inheritdoc IExchangeEscrow
    function setBurnRecipient(address recipient) external onlyOwner {
        if (recipient == address(0)) revert ZeroAddress();
        burnRecipient = recipient;
        emit BurnRecipientSet(recipient);
    }

    /// @inheritdoc IExchangeEscrow
    function payouts(
        bytes32 tableId,
        uint256 price,
        uint256 state
    ) public view returns (uint256 seller, uint256 buyer, uint256 burn) {
        (uint256 sellerDeposit, uint256 buyerDeposit) = depositsFor(tableId, price);
        seller = _share(tableId, price, state, true);
        buyer = _share(tableId, price, state, false);
        burn = sellerDeposit + buyerDeposit + price - seller - buyer;
    }

    // ---------------------------------------------------------------- internals

    /// @dev A party's payout in `state`, rounded down (virtual only for test-only defect variants).
    function _share(
        bytes32 tableId,
        uint256 price,
        uint256 state,
        bool seller
    ) internal view virtual returns (uint256) {
        StoredTable storage t = _tables[tableId];
        return Math.mulDiv(seller ? t.seller[state] : t.buyer[state], price, UNIT);
    }

    function _hash(Terms calldata terms) private pure returns (bytes25) {
        return bytes25(keccak256(abi.encode(terms)));
    }

    function _load(uint256 id, Terms calldata terms) private view returns (Deal memory d) {
        d = deals[id];
        if (d.stage == Stage.None) revert UnknownDeal(id);
        if (d.termsHash != _hash(terms)) revert TermsMismatch(id);
    }

    function _buyerAt(uint256 id, Terms calldata terms, Stage stage) private returns (Deal memory d) {
        if (msg.sender != terms.buyer) revert NotParty(msg.sender);
        d = _advance(id, terms, _load(id, terms));
        if (d.stage != stage) revert WrongStage(stage, d.stage);
    }

    function _sellerAtFault(uint256 id, Terms calldata terms) private returns (Deal memory d) {
        if (msg.sender != terms.seller) revert NotParty(msg.sender);
        d = _advance(id, terms, _load(id, terms));
        if (d.stage != Stage.Fault) revert WrongStage(Stage.Fault, d.stage);
    }

    /// @dev Opens `stage` now, for `window` seconds.
    function _enter(Deal memory d, Stage stage, uint256 window) private view {
        d.stage = stage;
        d.deadline = uint40(block.timestamp + window);
    }

    /**
     * @dev Closes every window whose deadline has passed, message absent; the next window starts
     * at the previous deadline. At most three steps. The caller stores the deal.
     */
    function _advance(uint256 id, Terms calldata terms, Deal memory d) private returns (Deal memory) {
        while (d.stage >= Stage.Redeem && d.stage <= Stage.Fault && block.timestamp >= d.deadline) {
            emit WindowExpired(id, d.stage);
            if (d.stage == Stage.Redeem) {
                d.stage = Stage.Complaint;
                d.deadline += terms.complaintWindow;
            } else if (d.stage == Stage.Complaint) {
                d.stage = Stage.Fault;
                d.deadline += terms.faultWindow;
            } else {
                _finalize(id, terms, d);
            }
        }
        return d;
    }

    /// @dev Marks the deal final and books the remainder of its pot for the burn recipient.
    function _finalize(uint256 id, Terms calldata terms, Deal memory d) private {
        d.stage = Stage.Final;
        uint8 state = d.flags & 7;
        (uint256 seller, uint256 buyer, uint256 burn) = payouts(terms.tableId, terms.price, state);
        if (burn != 0) burnAccrued[terms.asset] += burn;
        emit Finalized(id, state, seller, buyer, burn);
    }

    /// @dev Takes exactly `amount` of `asset` from the caller; a token that delivers less is refused.
    function _pullExact(address asset, uint256 amount) private {
        uint256 received = AssetTransfer.pullIn(asset, msg.sender, amount);
        if (received != amount) revert TokenDeliveredLess(amount, received);
    }
}
