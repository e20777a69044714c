// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {AssetTransfer} from "../common/AssetTransfer.sol";
import * as Units from "../common/Units.sol";
import {IExchangeEscrow} from "./IExchangeEscrow.sol";
import {PackedTerms} from "./PackedTerms.sol";

/**
 * @title ExchangeEscrow
 * @notice The core exchange: a seller and a buyer put deposits and the price into escrow; the
 * messages Redeem (buyer), Complaint (buyer) and CancelOrFault (seller) decide one of 8 final
 * states, and a payout table, designed off-chain by linear programming so that honest play is
 * the unique subgame-perfect equilibrium, pays each state out.
 *
 * Many deals live in one contract. A payout table is registered once (identified by the hash of
 * its content, {tableOf}) and referenced by its registration number from any number of deals. A
 * deal's id is the EIP-712 hash of its terms, and its one storage word holds only its stage,
 * deadline, messages and creation time: every call passes the terms back and is checked by hashing
 * them. Events carry the terms in full.
 *
 * Opening: the offerer (either side) offers on chain with its funds ({offer}) and the counterparty
 * accepts with its own ({accept}); or the offerer signs the terms off-chain and the counterparty
 * opens the deal in one call ({acceptSigned}), the offerer's funds taken from its balance here
 * ({deposit}, {withdraw}) or, for a token with EIP-2612, from its wallet by a permit it signed
 * beside the offer ({acceptSignedWithPermit}). A deal's id marks a signature as used, so it opens at most one deal; the
 * offerer may cancel it first ({cancelSigned}).
 *
 * Amounts: the table holds deposits and transfers as multiples of the price, 1e18 = the price.
 * Deposits round up, payouts round down, and the remainder of the pot (seller deposit + buyer
 * deposit + price) goes to the deal's burn destination, so no state pays out more than its pot.
 * Rounding weighs more at small prices: a table names the smallest price it stays safe at
 * (`minPrice`, computed by the designer) and offers below it are refused.
 *
 * Lifecycle: opened -> redeem window -> complaint window -> fault window -> final. A party ends its
 * own window early by sending its message (or declining to); a party's message after its window's
 * deadline finds the next window open (or is refused), and once the last deadline has passed anyone
 * can finalize, so no party can lock funds by going silent. Windows that expire chain from deadline to
 * deadline; every deadline saturates at the largest 40-bit time instead of wrapping.
 *
 * Payouts are pushed when the deal ends (the seller's own call ends its fault window and pays both
 * parties), each with a gas allowance; a transfer that fails, reverts or runs out of it is credited
 * to the payee's balance, which it withdraws later, so no receiver can block a deal. The burn
 * remainder is credited to the deal's burn destination, fixed when the deal is created: the owner's
 * burn recipient then (a later change applies to new deals only), or the dead address (a true burn)
 * when that recipient is the deal's seller or buyer, or is not the setting the offerer agreed to in
 * the terms (`burnSetting`): an owner's change between signing and opening cannot redirect the
 * remainder to someone the signer never saw, and no offerer can pick a past setting.
 *
 * State index: `4 * R + 2 * C + CF`, each bit set when that message was received.
 */
contract ExchangeEscrow is IExchangeEscrow, EIP712, Ownable2Step, ReentrancyGuardTransient {
    using PackedTerms for bytes32[4];

    /// @inheritdoc IExchangeEscrow
    /// @dev The shared `UNIT` of `common/Units.sol`, kept readable on chain by this getter.
    uint256 public constant UNIT = Units.UNIT;
    /// @notice The burn destination of a deal whose seller or buyer is the burn recipient.
    address public constant DEAD = 0x000000000000000000000000000000000000dEaD;
    /// @notice Gas a pushed payout may use; a receiver needing more is credited instead.
    uint256 public constant PUSH_GAS = 50_000;
    uint8 private constant FAULT = 1;
    uint8 private constant COMPLAINT = 2;
    uint8 private constant REDEEM = 4;

    /**
     * @dev One state's payouts with the deposits: finalization reads this one slot. Entries are kept
     * in 64 bits (up to 18.4 times the price) so that the four fit.
     */
    struct StatePayout {
        uint64 seller;
        uint64 buyer;
        uint64 sellerDeposit;
        uint64 buyerDeposit;
    }

    /// @dev A registered table: slot 0 holds all an offer reads; each state has a slot of its own.
    struct StoredTable {
        uint64 sellerDeposit;
        uint64 buyerDeposit;
        uint64 minPrice;
        bool registered;
        StatePayout[8] payout;
    }

    /// @dev Tables by registration number, from 1; their content hashes in `_tableIds`.
    mapping(uint256 table => StoredTable) private _tables;
    mapping(uint256 table => bytes32) private _tableIds;
    /// @inheritdoc IExchangeEscrow
    mapping(bytes32 tableId => uint256) public tableOf;
    /// @inheritdoc IExchangeEscrow
    uint256 public tableCount;
    /**
     * @dev Each deal's {Deal} in one word, laid out as Solidity would pack the struct (deadline in bits
     * 0-39, stage 40-47, flags 48-55, createdAt 56-95) but read and written whole: a struct's fields
     * are stored one by one, which costs every call an extra read and write per field.
     */
    mapping(bytes32 id => uint256) private _deals;
    /// @inheritdoc IExchangeEscrow
    mapping(address account => mapping(address asset => uint256)) public balances;
    /// @dev The burn recipient's settings (a setting is its index), `since` ascending; read only to burn.
    BurnSetting[] private _burnSettings;

    struct BurnSetting {
        uint40 since;
        address recipient;
    }

    constructor(address owner, address burnRecipient_) EIP712("ExchangeEscrow", "2") Ownable(owner) {
        _setBurnRecipient(burnRecipient_, 0);
    }

    // ---------------------------------------------------------------- tables

    /// @inheritdoc IExchangeEscrow
    function registerTable(PayoutTable calldata content) external returns (uint256 table) {
        uint256 pot = uint256(content.sellerDeposit) + content.buyerDeposit + UNIT;
        for (uint256 s = 0; s < 8; ++s) {
            if (uint256(content.seller[s]) + content.buyer[s] > pot) revert TableOverpays(s);
        }
        bytes32 tableId = keccak256(abi.encode(content));
        table = tableOf[tableId];
        if (table != 0) return table;
        table = ++tableCount;
        // Terms name a table in 32 bits: a later one could never be used (unreachable in practice).
        if (table > type(uint32).max) revert TooManyTables();
        tableOf[tableId] = table;
        _tableIds[table] = tableId;
        StoredTable storage stored = _tables[table];
        uint64 sellerDeposit = _entry(content.sellerDeposit);
        uint64 buyerDeposit = _entry(content.buyerDeposit);
        stored.sellerDeposit = sellerDeposit;
        stored.buyerDeposit = buyerDeposit;
        stored.minPrice = content.minPrice;
        stored.registered = true;
        for (uint256 s = 0; s < 8; ++s) {
            stored.payout[s] = StatePayout(
                _entry(content.seller[s]),
                _entry(content.buyer[s]),
                sellerDeposit,
                buyerDeposit
            );
        }
        emit TableRegistered(table, tableId, content);
    }

    /// @inheritdoc IExchangeEscrow
    function tableIdOf(uint256 table) external view returns (bytes32) {
        return _tableIds[table];
    }

    /// @inheritdoc IExchangeEscrow
    function getTable(uint256 table) external view returns (PayoutTable memory content) {
        StoredTable storage t = _tables[table];
        if (!t.registered) revert UnknownTable(table);
        content.sellerDeposit = t.sellerDeposit;
        content.buyerDeposit = t.buyerDeposit;
        content.minPrice = t.minPrice;
        for (uint256 s = 0; s < 8; ++s) {
            content.seller[s] = t.payout[s].seller;
            content.buyer[s] = t.payout[s].buyer;
        }
    }

    /// @inheritdoc IExchangeEscrow
    function depositsFor(uint256 table, uint256 price) public view returns (uint256 seller, uint256 buyer) {
        StoredTable storage t = _tables[table];
        return _deposits(t.sellerDeposit, t.buyerDeposit, price);
    }

    // ---------------------------------------------------------------- balances

    /// @inheritdoc IExchangeEscrow
    function deposit(address asset, uint256 amount) external payable nonReentrant {
        AssetTransfer.requireSupported(asset);
        _pullExact(asset, msg.sender, amount);
        balances[msg.sender][asset] += amount;
        emit BalanceDeposited(msg.sender, asset, amount);
    }

    /// @inheritdoc IExchangeEscrow
    function withdraw(address asset, uint256 amount) external nonReentrant {
        uint256 available = balances[msg.sender][asset];
        if (amount > available) revert InsufficientBalance(msg.sender, asset, amount, available);
        balances[msg.sender][asset] = available - amount;
        emit BalanceWithdrawn(msg.sender, asset, amount);
        AssetTransfer.pushOut(asset, msg.sender, amount);
    }

    // ---------------------------------------------------------------- offers and opening

    /// @inheritdoc IExchangeEscrow
    function offer(bytes32[4] calldata terms) external payable nonReentrant returns (bytes32 id) {
        id = dealId(terms);
        (uint256 sellerDeposit, uint256 buyerDeposit) = _checkNew(id, terms);
        if (block.timestamp >= terms.expiry()) revert OfferExpired(id, terms.expiry());
        (address offerer, ) = terms.parties();
        if (msg.sender != offerer) revert NotParty(msg.sender);
        _store(
            id,
            Deal({deadline: uint40(terms.expiry()), stage: Stage.Offered, flags: 0, createdAt: uint40(block.timestamp)})
        );
        emit Offered(id, terms.seller(), terms.buyer(), terms);
        _pullExact(terms.asset(), msg.sender, terms.sellerOffers() ? sellerDeposit : buyerDeposit + terms.price());
    }

    /// @inheritdoc IExchangeEscrow
    function accept(bytes32[4] calldata terms) external payable nonReentrant {
        bytes32 id = dealId(terms);
        Deal memory d = _load(id);
        if (d.stage != Stage.Offered) revert WrongStage(Stage.Offered, d.stage);
        if (block.timestamp >= terms.expiry()) revert OfferExpired(id, terms.expiry());
        (, address counterparty) = terms.parties();
        if (msg.sender != counterparty) revert NotParty(msg.sender);
        (uint256 sellerDeposit, uint256 buyerDeposit) = depositsFor(terms.table(), terms.price());
        _open(id, terms, d.createdAt);
        _pullExact(terms.asset(), msg.sender, terms.sellerOffers() ? buyerDeposit + terms.price() : sellerDeposit);
    }

    /// @inheritdoc IExchangeEscrow
    function withdrawOffer(bytes32[4] calldata terms) external nonReentrant {
        bytes32 id = dealId(terms);
        Deal memory d = _load(id);
        if (d.stage != Stage.Offered) revert WrongStage(Stage.Offered, d.stage);
        (address offerer, ) = terms.parties();
        if (msg.sender != offerer) revert NotParty(msg.sender);
        (uint256 sellerDeposit, uint256 buyerDeposit) = depositsFor(terms.table(), terms.price());
        uint256 refund = terms.sellerOffers() ? sellerDeposit : buyerDeposit + terms.price();
        d.stage = Stage.Withdrawn;
        _store(id, d);
        emit OfferWithdrawn(id, refund);
        _pay(id, terms.asset(), msg.sender, refund);
    }

    /// @inheritdoc IExchangeEscrow
    function acceptSigned(
        bytes32[4] calldata terms,
        bytes calldata signature
    ) external payable nonReentrant returns (bytes32 id) {
        address offerer;
        uint256 fromOfferer;
        uint256 fromCounterparty;
        (id, offerer, fromOfferer, fromCounterparty) = _openSigned(terms, signature, false);
        address asset = terms.asset();
        uint256 available = balances[offerer][asset];
        if (fromOfferer > available) revert InsufficientBalance(offerer, asset, fromOfferer, available);
        balances[offerer][asset] = available - fromOfferer;
        _pullExact(asset, msg.sender, fromCounterparty);
    }

    /// @inheritdoc IExchangeEscrow
    function acceptSignedWithPermit(
        bytes32[4] calldata terms,
        bytes calldata signature,
        Permit calldata permit
    ) external nonReentrant returns (bytes32 id) {
        address asset = terms.asset();
        if (asset == address(0)) revert AssetTransfer.UnsupportedAsset(asset);
        address offerer;
        uint256 fromOfferer;
        uint256 fromCounterparty;
        (id, offerer, fromOfferer, fromCounterparty) = _openSigned(terms, signature, true);
        // A permit already used by someone else (a front-runner) reverts here but its allowance stands;
        // with no allowance at all, the pull below fails with the token's own error.
        try
            IERC20Permit(asset).permit(
                offerer,
                address(this),
                fromOfferer,
                permit.deadline,
                permit.v,
                permit.r,
                permit.s
            )
        {} catch {} // solhint-disable-line no-empty-blocks
        emit PaidWithPermit(id, offerer, fromOfferer);
        _pullExact(asset, offerer, fromOfferer);
        _pullExact(asset, msg.sender, fromCounterparty);
    }

    /// @inheritdoc IExchangeEscrow
    function cancelSigned(bytes32[4] calldata terms) external {
        bytes32 id = dealId(terms);
        (address offerer, ) = terms.parties();
        if (msg.sender != offerer) revert NotParty(msg.sender);
        if (_deals[id] != 0) revert DealExists(id);
        _store(id, Deal({deadline: 0, stage: Stage.Withdrawn, flags: 0, createdAt: 0}));
        emit SignedOfferCancelled(id);
    }

    // ---------------------------------------------------------------- messages

    /// @inheritdoc IExchangeEscrow
    function redeem(bytes32[4] calldata terms, bool alsoConfirm) external {
        (bytes32 id, Deal memory d) = _buyerAt(terms, Stage.Redeem);
        d.flags |= REDEEM;
        emit Redeemed(id, alsoConfirm);
        if (alsoConfirm) {
            _enter(d, Stage.Fault, terms.faultWindow());
        } else {
            _enter(d, Stage.Complaint, terms.complaintWindow());
        }
        _store(id, d);
    }

    /// @inheritdoc IExchangeEscrow
    function requestRefund(bytes32[4] calldata terms) external {
        (bytes32 id, Deal memory d) = _buyerAt(terms, Stage.Redeem);
        emit RefundRequested(id);
        _enter(d, Stage.Complaint, terms.complaintWindow());
        _store(id, d);
    }

    /// @inheritdoc IExchangeEscrow
    function complain(bytes32[4] calldata terms) external {
        (bytes32 id, Deal memory d) = _buyerAt(terms, Stage.Complaint);
        d.flags |= COMPLAINT;
        emit Complained(id);
        _enter(d, Stage.Fault, terms.faultWindow());
        _store(id, d);
    }

    /// @inheritdoc IExchangeEscrow
    function confirmQuality(bytes32[4] calldata terms) external {
        (bytes32 id, Deal memory d) = _buyerAt(terms, Stage.Complaint);
        emit QualityConfirmed(id);
        _enter(d, Stage.Fault, terms.faultWindow());
        _store(id, d);
    }

    /// @inheritdoc IExchangeEscrow
    function cancelOrFault(bytes32[4] calldata terms) external nonReentrant {
        if (msg.sender != terms.seller()) revert NotParty(msg.sender);
        bytes32 id = dealId(terms);
        Deal memory d = _advance(id, terms, _load(id), true);
        if (d.stage != Stage.Fault) revert WrongStage(Stage.Fault, d.stage);
        d.flags |= FAULT;
        emit Faulted(id);
        _finalize(id, terms, d);
    }

    /// @inheritdoc IExchangeEscrow
    function finalize(bytes32[4] calldata terms) external nonReentrant {
        bytes32 id = dealId(terms);
        Deal memory d = _load(id);
        if (d.stage == Stage.Final) revert WrongStage(Stage.Fault, d.stage);
        d = _advance(id, terms, d, true);
        if (d.stage == Stage.Fault && msg.sender == terms.seller()) {
            _finalize(id, terms, d);
        } else if (d.stage != Stage.Final) {
            revert WrongStage(Stage.Final, d.stage);
        }
    }

    /// @inheritdoc IExchangeEscrow
    function setBurnRecipient(address recipient) external onlyOwner {
        _setBurnRecipient(recipient, block.timestamp + 1);
    }

    /// @inheritdoc IExchangeEscrow
    function burnSetting() external view returns (uint256 setting, address recipient) {
        return _burnSettingAt(block.timestamp);
    }

    /// @inheritdoc IExchangeEscrow
    function burnDestination(
        uint256 time,
        uint256 agreedSetting,
        address seller,
        address buyer
    ) public view returns (address) {
        (uint256 setting, address recipient) = _burnSettingAt(time);
        return setting != agreedSetting || recipient == seller || recipient == buyer ? DEAD : recipient;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IExchangeEscrow
    function deals(bytes32 id) external view returns (uint40 deadline, Stage stage, uint8 flags, uint40 createdAt) {
        Deal memory d = _deal(id);
        return (d.deadline, d.stage, d.flags, d.createdAt);
    }

    /// @inheritdoc IExchangeEscrow
    function dealId(bytes32[4] calldata terms) public view returns (bytes32) {
        return _hashTypedDataV4(terms.structHash());
    }

    /// @inheritdoc IExchangeEscrow
    function payouts(
        uint256 table,
        uint256 price,
        uint256 state
    ) public view returns (uint256 seller, uint256 buyer, uint256 burn) {
        if (state > 7) revert InvalidState(state);
        StatePayout memory p = _tables[table].payout[state];
        (uint256 sellerDeposit, uint256 buyerDeposit) = _deposits(p.sellerDeposit, p.buyerDeposit, price);
        seller = _share(p.seller, price, true);
        buyer = _share(p.buyer, price, false);
        burn = sellerDeposit + buyerDeposit + price - seller - buyer;
    }

    // ---------------------------------------------------------------- internals

    /**
     * @dev A party's payout, `fraction` of `price` rounded down (virtual only for test-only defect
     * variants). No overflow: a fraction is below 2^64 and a price below 2^128.
     */
    function _share(uint256 fraction, uint256 price, bool /* seller */) internal pure virtual returns (uint256) {
        return (fraction * price) / UNIT;
    }

    /// @dev A table entry in the 64 bits the escrow stores it in.
    function _entry(uint96 value) private pure returns (uint64) {
        if (value > type(uint64).max) revert TableEntryTooLarge(value);
        return uint64(value);
    }

    /// @dev The deposits at `price`, rounded up. A price beyond the 128 bits terms carry is refused,
    /// so that nothing overflows (a table entry is below 2^64: a product below 2^192).
    function _deposits(uint256 seller, uint256 buyer, uint256 price) private pure returns (uint256, uint256) {
        if (price > type(uint128).max) revert PriceTooLarge(price);
        return (_ceilShare(seller, price), _ceilShare(buyer, price));
    }

    function _ceilShare(uint256 fraction, uint256 price) private pure returns (uint256) {
        return (fraction * price + UNIT - 1) / UNIT;
    }

    /// @dev Checks the terms of a deal about to be created with id `id`; returns its deposits.
    function _checkNew(bytes32 id, bytes32[4] calldata terms) private view returns (uint256, uint256) {
        if (!terms.isCanonical()) revert NonCanonicalTerms();
        if (terms.seller() == address(0) || terms.buyer() == address(0) || terms.seller() == terms.buyer()) {
            revert InvalidParties(terms.seller(), terms.buyer());
        }
        if (terms.price() == 0) revert ZeroPrice();
        if (terms.redeemWindow() == 0 || terms.complaintWindow() == 0 || terms.faultWindow() == 0) revert ZeroWindow();
        StoredTable storage table = _tables[terms.table()];
        if (!table.registered) revert UnknownTable(terms.table());
        if (terms.price() < table.minPrice) revert PriceBelowMinimum(terms.price(), table.minPrice);
        if (_deals[id] != 0) revert DealExists(id);
        AssetTransfer.requireSupported(terms.asset());
        return _deposits(table.sellerDeposit, table.buyerDeposit, terms.price());
    }

    /**
     * @dev Opens a deal from terms the offerer signed, called by the counterparty (ECDSA, else
     * ERC-1271); returns what each side pays in. The caller takes the offerer's part: from its wallet
     * `byPermit`, else from its balance, as the signed terms say (`fromWallet`), so that nobody can
     * take a signed offer's part from where its offerer did not mean it to come.
     */
    function _openSigned(
        bytes32[4] calldata terms,
        bytes calldata signature,
        bool byPermit
    ) private returns (bytes32 id, address offerer, uint256 fromOfferer, uint256 fromCounterparty) {
        if (terms.fromWallet() != byPermit) revert WrongFundingRoute(terms.fromWallet());
        id = dealId(terms);
        (uint256 sellerDeposit, uint256 buyerDeposit) = _checkNew(id, terms);
        if (block.timestamp >= terms.expiry()) revert OfferExpired(id, terms.expiry());
        address counterparty;
        (offerer, counterparty) = terms.parties();
        if (msg.sender != counterparty) revert NotParty(msg.sender);
        // ECDSA first: an externally owned account's signature needs no look at its code (2,600 gas).
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(id, signature);
        if (
            (err != ECDSA.RecoverError.NoError || recovered != offerer) &&
            !SignatureChecker.isValidERC1271SignatureNowCalldata(offerer, id, signature)
        ) revert InvalidSignature(id);
        uint256 buyerPays = buyerDeposit + terms.price();
        (fromOfferer, fromCounterparty) = terms.sellerOffers()
            ? (sellerDeposit, buyerPays)
            : (buyerPays, sellerDeposit);
        _open(id, terms, uint40(block.timestamp));
    }

    /// @dev Stores the opened deal (redeem window from now) and emits its terms.
    function _open(bytes32 id, bytes32[4] calldata terms, uint40 createdAt) private {
        _store(
            id,
            Deal({
                deadline: _after(block.timestamp, terms.redeemWindow()),
                stage: Stage.Redeem,
                flags: 0,
                createdAt: createdAt
            })
        );
        emit Opened(id, terms.seller(), terms.buyer(), terms);
    }

    function _load(bytes32 id) private view returns (Deal memory d) {
        d = _deal(id);
        if (d.stage == Stage.None) revert UnknownDeal(id);
    }

    function _deal(bytes32 id) private view returns (Deal memory d) {
        uint256 word = _deals[id];
        d.deadline = uint40(word);
        d.stage = Stage(uint8(word >> 40));
        d.flags = uint8(word >> 48);
        d.createdAt = uint40(word >> 56);
    }

    function _store(bytes32 id, Deal memory d) private {
        _deals[id] =
            uint256(d.deadline) |
            (uint256(d.stage) << 40) |
            (uint256(d.flags) << 48) |
            (uint256(d.createdAt) << 56);
    }

    /**
     * @dev The deal, its expired windows closed, if it is at `stage` for the buyer. A buyer's message
     * never finalizes (it moves no money, so it needs no reentrancy guard): past the last deadline
     * the deal stays at its fault window and the message is refused; `finalize` pays out.
     */
    function _buyerAt(bytes32[4] calldata terms, Stage stage) private returns (bytes32 id, Deal memory d) {
        if (msg.sender != terms.buyer()) revert NotParty(msg.sender);
        id = dealId(terms);
        d = _advance(id, terms, _load(id), false);
        if (d.stage != stage) revert WrongStage(stage, d.stage);
    }

    function _setBurnRecipient(address recipient, uint256 since) private {
        if (recipient == address(0)) revert ZeroAddress();
        uint40 from = _after(since, 0);
        _burnSettings.push(BurnSetting(from, recipient));
        emit BurnRecipientSet(_burnSettings.length - 1, recipient, from);
    }

    /// @dev The last setting effective at `time` (binary search over the owner's settings, not over deals).
    function _burnSettingAt(uint256 time) private view returns (uint256 setting, address recipient) {
        uint256 high = _burnSettings.length;
        while (high - setting > 1) {
            uint256 mid = (setting + high) / 2;
            if (_burnSettings[mid].since <= time) setting = mid;
            else high = mid;
        }
        return (setting, _burnSettings[setting].recipient);
    }

    /// @dev `time + window`, saturating at the largest 40-bit time instead of wrapping.
    function _after(uint256 time, uint256 window) private pure returns (uint40) {
        return uint40(Math.min(time + window, type(uint40).max));
    }

    /// @dev Opens `stage` now, for `window` seconds.
    function _enter(Deal memory d, Stage stage, uint256 window) private view {
        d.stage = stage;
        d.deadline = _after(block.timestamp, window);
    }

    /**
     * @dev Closes every window whose deadline has passed, message absent; the next window starts
     * at the previous deadline. At most three steps; the last, when `mayFinalize`, finalizes (and
     * stores and pays out) the deal.
     */
    function _advance(
        bytes32 id,
        bytes32[4] calldata terms,
        Deal memory d,
        bool mayFinalize
    ) private returns (Deal memory) {
        uint256 last = mayFinalize ? uint256(Stage.Fault) : uint256(Stage.Complaint);
        while (d.stage >= Stage.Redeem && uint256(d.stage) <= last && block.timestamp >= d.deadline) {
            emit WindowExpired(id, d.stage);
            if (d.stage == Stage.Redeem) {
                d.stage = Stage.Complaint;
                d.deadline = _after(d.deadline, terms.complaintWindow());
            } else if (d.stage == Stage.Complaint) {
                d.stage = Stage.Fault;
                d.deadline = _after(d.deadline, terms.faultWindow());
            } else {
                _finalize(id, terms, d);
            }
        }
        return d;
    }

    /**
     * @dev Marks the deal final and stores it, then pays: the seller's and the buyer's payouts are
     * pushed (or credited), the remainder credited to the deal's burn destination.
     */
    function _finalize(bytes32 id, bytes32[4] calldata terms, Deal memory d) private {
        d.stage = Stage.Final;
        _store(id, d);
        uint8 state = d.flags & 7;
        (uint256 seller, uint256 buyer, uint256 burn) = payouts(terms.table(), terms.price(), state);
        emit Finalized(id, state);
        if (burn != 0) {
            address destination = burnDestination(d.createdAt, terms.burnSetting(), terms.seller(), terms.buyer());
            _credit(id, terms.asset(), destination, burn);
        }
        _pay(id, terms.asset(), terms.seller(), seller);
        _pay(id, terms.asset(), terms.buyer(), buyer);
    }

    /**
     * @dev Sends `amount` to `to` with a gas allowance; if the transfer fails, credits it instead (virtual only
     * for test-only defect variants).
     */
    function _pay(bytes32 id, address asset, address to, uint256 amount) internal virtual {
        if (amount != 0 && !AssetTransfer.tryPushOut(asset, to, amount, PUSH_GAS)) _credit(id, asset, to, amount);
    }

    function _credit(bytes32 id, address asset, address to, uint256 amount) private {
        balances[to][asset] += amount;
        emit Credited(id, to, asset, amount);
    }

    /// @dev Takes exactly `amount` of `asset` from `from`; a token that delivers less is refused.
    function _pullExact(address asset, address from, uint256 amount) private {
        uint256 received = AssetTransfer.pullIn(asset, from, amount);
        if (received != amount) revert TokenDeliveredLess(amount, received);
    }
}
