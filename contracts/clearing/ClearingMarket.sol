// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AssetTransfer} from "../common/AssetTransfer.sol";
import {Settlement} from "./Settlement.sol";
import {PriceUpdate} from "./PriceUpdate.sol";
import {AdaptivePrice} from "./AdaptivePrice.sol";
import {UniformRationing} from "./UniformRationing.sol";
import {IClearingMarket} from "./IClearingMarket.sol";

/**
 * @title ClearingMarket
 * @notice The contract-clearing game: agents share a resource of capacity `m` per round, submit
 * demands at the posted price `tau + mu`, pay a per-unit fee `tau`, a fixed fee `g` and the
 * congestion price `mu` on what they are allocated, and the market moves `mu` by dual ascent
 * until demand clears capacity (`mu >= 0, S <= m, mu * (m - S) = 0`).
 *
 * Every transaction is O(1): a submission updates the round's running total (and, under the uniform
 * rule, one path of a fixed tree of demand buckets); closing a round stores one record (and, when the
 * uniform rule rations, a bounded descent of that tree) and moves the price; each agent's allocation,
 * charge and refund are settled lazily the next time it (or anyone for it) touches the market. No
 * loop over agents.
 *
 * Units: see {Settlement}. Money: agents' balances, fees and revenue are pull payments; the
 * contract's balance of the asset always equals {totalLiabilities} (force-sent ETH aside).
 */
contract ClearingMarket is IClearingMarket, Ownable2Step, ReentrancyGuardTransient {
    using SafeCast for uint256;

    /// @inheritdoc IClearingMarket
    uint256 public constant MAX_QUANTITY = type(uint120).max;
    /// @inheritdoc IClearingMarket
    uint256 public constant MAX_ROUND_DURATION = 365 days;
    /// @inheritdoc IClearingMarket
    uint256 public constant DORMANT_AFTER = 3;

    /// @inheritdoc IClearingMarket
    address public immutable asset;
    /// @inheritdoc IClearingMarket
    bool public immutable allowListOnly;

    address public feeRecipient;
    address public revenueRecipient;
    /// @inheritdoc IClearingMarket
    uint128 public feesAccrued;
    /// @inheritdoc IClearingMarket
    uint128 public revenueAccrued;
    /// @inheritdoc IClearingMarket
    uint256 public totalLiabilities;

    State public state;
    mapping(uint256 round => Round) public rounds;
    mapping(uint256 version => Params) public params;
    mapping(address agent => Agent) public agents;
    mapping(address account => bool) public allowed;
    AdaptivePrice.Bracket public bracket;
    /**
     * @dev For each round, how many active agents were last seen in it (submitted, or joined),
     * eight 32-bit counts to a word: agents submitting round after round update one word.
     */
    mapping(uint256 word => uint256) private _lastSeenCounts;
    /// @dev The uniform rule's demands of the open round, by bucket (each word stamped with its round).
    UniformRationing.Tree private _demandTree;
    /// @dev The uniform rule's result of each rationed round.
    UniformRationing.Results private _rationed;

    constructor(InitConfig memory cfg) Ownable(cfg.owner) {
        if (cfg.feeRecipient == address(0) || cfg.revenueRecipient == address(0)) revert ZeroAddress();
        AssetTransfer.requireSupported(cfg.asset);
        asset = cfg.asset;
        allowListOnly = cfg.allowListOnly;
        emit MarketOpened(cfg.asset, cfg.allowListOnly);
        feeRecipient = cfg.feeRecipient;
        revenueRecipient = cfg.revenueRecipient;
        emit RecipientsSet(cfg.feeRecipient, cfg.revenueRecipient);
        params[1] = _pack(cfg.params, 1);
        bracket = AdaptivePrice.empty();
        emit ParamsScheduled(1, 1, cfg.params);
        emit ParamsActivated(1, 1);
        state = State({
            round: 1,
            deadline: (block.timestamp + cfg.params.roundDuration).toUint40(),
            submitted: 0,
            positive: 0,
            active: 0,
            version: 1,
            pendingVersion: 1,
            levelHint: 0
        });
    }

    // ---------------------------------------------------------------- agents

    /// @inheritdoc IClearingMarket
    function join(uint256 amount) external payable nonReentrant {
        if (allowListOnly && !allowed[msg.sender]) revert NotAllowed(msg.sender);
        Agent storage a = agents[msg.sender];
        if (a.active) revert AlreadyActive(msg.sender);
        a.active = true;
        ++state.active;
        uint40 round = state.round;
        a.lastSeen = round;
        _countSeen(round, true);
        emit Joined(msg.sender);
        _deposit(a, amount);
    }

    /// @inheritdoc IClearingMarket
    function deposit(uint256 amount) external payable nonReentrant {
        _deposit(agents[msg.sender], amount);
    }

    /// @inheritdoc IClearingMarket
    function submitDemand(uint256 round, uint256 quantity, uint256 maxReserve) external {
        Agent storage a = agents[msg.sender];
        if (!a.active) revert NotActive(msg.sender);
        State memory s = state;
        if (round != s.round) revert WrongRound(round, s.round);
        if (block.timestamp >= s.deadline) revert RoundExpired(s.round, s.deadline);
        _settle(msg.sender, a, s.round);

        Round storage r = rounds[s.round];
        uint256 available = a.free;
        uint256 total = r.totalDemand;
        uint256 previous = 0;
        if (a.round == s.round) {
            previous = a.demand;
            available += a.reserved;
            total -= previous;
        } else {
            ++state.submitted;
            if (a.lastSeen != s.round) {
                _countSeen(a.lastSeen, false);
                _countSeen(s.round, true);
                a.lastSeen = s.round;
            }
        }
        if ((previous == 0) != (quantity == 0)) {
            if (quantity == 0) --state.positive;
            else ++state.positive;
        }
        // Compared before adding, so that no quantity, however large, can overflow the sum.
        if (quantity > MAX_QUANTITY - total) revert DemandTooLarge(quantity, MAX_QUANTITY - total);
        total += quantity;

        Params storage p = params[s.version];
        (uint256 fee, uint256 revenue) = Settlement.charge(quantity, quantity, p.tau, r.mu, p.fixedFee);
        uint256 reserve = fee + revenue;
        if (reserve > maxReserve) revert ReserveAboveMax(reserve, maxReserve);
        if (reserve > available) revert InsufficientBalance(reserve, available);

        if (p.rationing == Rationing.Uniform) UniformRationing.move(_demandTree, s.round, previous, quantity);
        a.free = uint128(available - reserve);
        a.reserved = uint128(reserve);
        a.demand = uint128(quantity);
        a.round = s.round;
        a.version = s.version;
        r.totalDemand = uint128(total);
        emit DemandSubmitted(s.round, msg.sender, quantity, reserve, total);
    }

    /// @inheritdoc IClearingMarket
    function settle(address agent) external {
        _settle(agent, agents[agent], state.round);
    }

    /// @inheritdoc IClearingMarket
    function withdraw(uint256 amount) external nonReentrant {
        Agent storage a = agents[msg.sender];
        _settle(msg.sender, a, state.round);
        if (amount > a.free) revert InsufficientBalance(amount, a.free);
        a.free -= uint128(amount);
        totalLiabilities -= amount;
        emit Withdrawn(msg.sender, amount);
        AssetTransfer.pushOut(asset, msg.sender, amount);
    }

    /// @inheritdoc IClearingMarket
    function leave() external {
        Agent storage a = agents[msg.sender];
        if (!a.active) revert NotActive(msg.sender);
        State memory s = state;
        _settle(msg.sender, a, s.round);
        if (a.round == s.round) {
            Round storage r = rounds[s.round];
            r.totalDemand -= a.demand;
            if (params[s.version].rationing == Rationing.Uniform) {
                UniformRationing.move(_demandTree, s.round, a.demand, 0);
            }
            --state.submitted;
            if (a.demand != 0) --state.positive;
            emit DemandSubmitted(s.round, msg.sender, 0, 0, r.totalDemand);
            a.free += a.reserved;
            a.reserved = 0;
            a.demand = 0;
            a.round = 0;
        }
        a.active = false;
        --state.active;
        _countSeen(a.lastSeen, false);
        emit Left(msg.sender, s.round);
    }

    // ---------------------------------------------------------------- rounds

    /// @inheritdoc IClearingMarket
    function closeRound() external {
        _closeRound(state.levelHint);
    }

    /// @inheritdoc IClearingMarket
    function closeRoundWithHint(uint256 levelHint) external {
        _closeRound(levelHint);
    }

    /// @inheritdoc IClearingMarket
    function rationingLevel() external view returns (uint256) {
        State memory s = state;
        Params memory p = params[s.version];
        if (p.rationing != Rationing.Uniform || rounds[s.round].totalDemand <= p.capacity) return s.levelHint;
        (, uint256 edge) = UniformRationing.edgeOf(
            UniformRationing.close(_demandTree, s.round, p.capacity, s.positive, s.levelHint)
        );
        return edge;
    }

    /// @dev Closes the open round; `levelHint` is where the uniform rule's descent looks first.
    function _closeRound(uint256 levelHint) private {
        State memory s = state;
        if (block.timestamp < s.deadline) {
            // Early: once every expected agent submitted, and not in the second the round opened, so
            // that one agent left counting cannot run round after round within one block.
            bool everyoneSubmitted = s.submitted != 0 && s.submitted == expectedSubmitters(s.round);
            bool opened = block.timestamp + params[s.version].roundDuration > s.deadline;
            if (!everyoneSubmitted || !opened) revert RoundStillOpen(s.round, s.deadline);
        }

        uint256 nextMu = _priceRound(s, levelHint);

        uint40 next = s.round + 1;
        uint32 version = s.pendingVersion;
        if (version != s.version) {
            params[version].startRound = next;
            bracket = AdaptivePrice.empty();
            emit ParamsActivated(version, next);
        }
        rounds[next] = Round({totalDemand: 0, mu: uint128(nextMu)});
        state = State({
            round: next,
            deadline: (block.timestamp + params[version].roundDuration).toUint40(),
            submitted: 0,
            positive: 0,
            active: s.active,
            version: version,
            pendingVersion: version,
            levelHint: s.levelHint
        });
    }

    // ---------------------------------------------------------------- recipients

    /// @inheritdoc IClearingMarket
    function withdrawFees() external nonReentrant {
        if (msg.sender != feeRecipient) revert NotRecipient(msg.sender);
        uint256 amount = feesAccrued;
        feesAccrued = 0;
        totalLiabilities -= amount;
        emit FeesWithdrawn(msg.sender, amount);
        AssetTransfer.pushOut(asset, msg.sender, amount);
    }

    /// @inheritdoc IClearingMarket
    function withdrawRevenue() external nonReentrant {
        if (msg.sender != revenueRecipient) revert NotRecipient(msg.sender);
        uint256 amount = revenueAccrued;
        revenueAccrued = 0;
        totalLiabilities -= amount;
        emit RevenueWithdrawn(msg.sender, amount);
        AssetTransfer.pushOut(asset, msg.sender, amount);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IClearingMarket
    function scheduleParams(ParamsInput calldata input) external onlyOwner {
        State storage s = state;
        uint32 version = s.version + 1;
        uint40 from = s.round + 1;
        params[version] = _pack(input, from);
        s.pendingVersion = version;
        emit ParamsScheduled(version, from, input);
    }

    /// @inheritdoc IClearingMarket
    function setRecipients(address fees, address revenue) external onlyOwner {
        if (fees == address(0) || revenue == address(0)) revert ZeroAddress();
        feeRecipient = fees;
        revenueRecipient = revenue;
        emit RecipientsSet(fees, revenue);
    }

    /// @inheritdoc IClearingMarket
    function setAllowed(address account, bool isAllowed) external onlyOwner {
        allowed[account] = isAllowed;
        emit AllowListSet(account, isAllowed);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IClearingMarket
    function currentRound() external view returns (uint256 round, uint256 deadline, uint256 price, uint256 mu) {
        State memory s = state;
        mu = rounds[s.round].mu;
        return (s.round, s.deadline, params[s.version].tau + mu, mu);
    }

    /// @inheritdoc IClearingMarket
    function rationingResult(uint256 round) external view returns (uint64) {
        return UniformRationing.resultOf(_rationed, round);
    }

    // ---------------------------------------------------------------- first use, paid ahead

    /// @inheritdoc IClearingMarket
    function prefillRationingTree(uint256 from, uint256 to) external {
        UniformRationing.prefillTree(_demandTree, from, to);
    }

    /// @inheritdoc IClearingMarket
    function prefillRounds(uint256 fromRound, uint256 toRound) external {
        uint256 open = state.round;
        if (fromRound > toRound || toRound > type(uint40).max) revert InvalidRoundRange(fromRound, toRound, open);
        // Records up to the open round's are live (a zero one means mu = 0 and no demand yet): never touched, so a
        // range read before a close landed still pays for what is left of it.
        uint256 first = Math.max(fromRound, open + 1);
        if (first >= toRound) return;
        for (uint256 round = first; round < toRound; ++round) {
            Round storage record = rounds[round];
            if (record.mu == 0 && record.totalDemand == 0) record.totalDemand = type(uint128).max;
        }
        // From the word of the open round's result on, which its close writes (a word in use is skipped).
        UniformRationing.prefillResults(_rationed, first - 1, toRound);
    }

    // ---------------------------------------------------------------- internals

    function _deposit(Agent storage a, uint256 amount) private {
        uint256 received = AssetTransfer.pullIn(asset, msg.sender, amount);
        // Free and reserved together stay within 128 bits: a revision, a settlement or a departure moves the
        // reservation back into the free balance, which must not truncate (or revert) there.
        a.free = (uint256(a.free) + a.reserved + received).toUint128() - a.reserved;
        totalLiabilities += received;
        emit Deposited(msg.sender, received);
    }

    /// @inheritdoc IClearingMarket
    function expectedSubmitters(uint256 round) public view returns (uint256 expected) {
        // At most DORMANT_AFTER + 1 counts: a loop over rounds, never over agents.
        for (uint256 k = 0; k <= DORMANT_AFTER && k < round; ++k) {
            expected += uint32(_lastSeenCounts[(round - k) / 8] >> (((round - k) % 8) * 32));
        }
    }

    /// @dev Counts an agent in (or out of) the agents last seen in `round`.
    function _countSeen(uint256 round, bool add) private {
        uint256 one = uint256(1) << ((round % 8) * 32);
        uint256 word = _lastSeenCounts[round / 8];
        _lastSeenCounts[round / 8] = add ? word + one : word - one;
    }

    /// @dev Settles the agent's pending demand if its round has closed. O(1).
    function _settle(address who, Agent storage a, uint256 openRound) private {
        uint256 round = a.round;
        if (round == 0 || round == openRound) return;
        uint256 demand = a.demand;
        uint256 reserved = a.reserved;
        Round storage r = rounds[round];
        Params storage p = params[a.version];
        uint256 quantity =
            p.rationing == Rationing.Uniform && r.totalDemand > p.capacity
                ? UniformRationing.allocation(demand, UniformRationing.resultOf(_rationed, round))
                : Settlement.allocation(demand, r.totalDemand, p.capacity);
        (uint256 fee, uint256 revenue) = _settlementCharge(demand, quantity, p.tau, r.mu, p.fixedFee);
        uint256 refund = reserved - fee - revenue;
        a.free += uint128(refund);
        a.reserved = 0;
        a.demand = 0;
        a.round = 0;
        feesAccrued += uint128(fee);
        revenueAccrued += uint128(revenue);
        emit Settled(round, who, quantity, fee, revenue, refund);
    }

    /// @dev Moves the price for the closing round and emits its outcome.
    function _priceRound(State memory s, uint256 levelHint) private returns (uint256 nextMu) {
        Round memory r = rounds[s.round];
        Params memory p = params[s.version];
        int256 excess = int256(uint256(r.totalDemand)) - int256(uint256(p.capacity));
        // Rationed by the uniform rule: the water level, found now, before the next round's submissions
        // reuse the tree. (The exact total decides whether to ration: the tree's sums are rounded up.)
        // The last water level is the hint: it only decides which end of each level the descent reads from.
        if (p.rationing == Rationing.Uniform && excess > 0) {
            uint64 result = UniformRationing.close(_demandTree, s.round, p.capacity, s.positive, levelHint);
            UniformRationing.storeResult(_rationed, s.round, result);
            (bool rationed, uint256 edge) = UniformRationing.edgeOf(result);
            if (rationed) s.levelHint = uint16(edge);
        }
        bool collapsed;
        (nextMu, collapsed) = _nextPrice(p, s.round, r.mu, excess, s.positive);
        _reportRound(s, r, p, excess, nextMu, collapsed);
    }

    /// @dev Emits the residuals of the closing round and, within tolerance, {Converged}.
    function _reportRound(
        State memory s,
        Round memory r,
        Params memory p,
        int256 excess,
        uint256 nextMu,
        bool collapsed
    ) private {
        uint256 primal = (r.mu == 0 && excess <= 0) ? 0 : PriceUpdate.abs(excess);
        uint256 dual = nextMu > r.mu ? nextMu - r.mu : r.mu - nextMu;
        emit RoundClosed(s.round, r.totalDemand, p.capacity, r.mu, nextMu, primal, dual, s.version);
        if (dual <= p.tolDual && (primal <= p.tolPrimal || (collapsed && excess <= 0))) {
            emit Converged(s.round, r.mu, r.totalDemand);
        }
    }

    /// @dev What a settled allocation costs. A hook only so test-only variants can plant a defect.
    function _settlementCharge(
        uint256 demand,
        uint256 quantity,
        uint256 tau,
        uint256 mu,
        uint256 fixedFee
    ) internal view virtual returns (uint256 fee, uint256 revenue) {
        return Settlement.charge(demand, quantity, tau, mu, fixedFee);
    }

    /// @dev The next price by the configured rule (virtual only for test-only defect variants).
    function _nextPrice(
        Params memory p,
        uint256 round,
        uint256 mu,
        int256 excess,
        uint256 participants
    ) internal virtual returns (uint256 nextMu, bool collapsed) {
        if (p.rule != StepRule.Adaptive) {
            uint256 eta =
                p.rule == StepRule.Constant ? p.eta : PriceUpdate.diminishingEta(p.eta, round - p.startRound + 1);
            int256 bounded = PriceUpdate.boundedExcess(excess, p.capacity);
            return (PriceUpdate.move(mu, bounded, PriceUpdate.ascentStep(eta, PriceUpdate.abs(bounded))), false);
        }
        AdaptivePrice.Observation memory previous;
        if (round > p.startRound) {
            Round memory before = rounds[round - 1];
            previous = AdaptivePrice.Observation({
                valid: true,
                mu: before.mu,
                excess: int256(uint256(before.totalDemand)) - int256(uint256(p.capacity))
            });
        }
        AdaptivePrice.Bracket memory b = bracket;
        AdaptivePrice.Context memory ctx = AdaptivePrice.Context({
            capacity: p.capacity,
            participants: participants,
            eta: p.eta,
            tolPrimal: p.tolPrimal,
            tolDual: p.tolDual
        });
        (nextMu, collapsed) = AdaptivePrice.update(b, mu, excess, previous, ctx);
        bracket = b;
    }

    function _pack(ParamsInput memory input, uint256 startRound) private pure returns (Params memory) {
        if (input.capacity == 0 || input.capacity > MAX_QUANTITY) revert InvalidCapacity(input.capacity);
        if (input.tau > PriceUpdate.MAX_PRICE) revert InvalidPrice(input.tau);
        if (input.fixedFee > type(uint96).max) revert InvalidFixedFee(input.fixedFee);
        if (input.rule > uint8(StepRule.Adaptive)) revert InvalidStepRule(input.rule);
        if (input.rationing > uint8(Rationing.Uniform)) revert InvalidRationing(input.rationing);
        // eta = 0 freezes the price (the flat-fee baseline); the adaptive search needs a step.
        if (input.eta > type(uint96).max || (input.eta == 0 && input.rule == uint8(StepRule.Adaptive))) {
            revert InvalidStepSize(input.eta);
        }
        if (input.tolDual == 0 || input.tolDual > type(uint96).max || input.tolPrimal > type(uint96).max) {
            revert InvalidTolerance(input.tolPrimal, input.tolDual);
        }
        if (input.roundDuration == 0 || input.roundDuration > MAX_ROUND_DURATION) {
            revert InvalidRoundDuration(input.roundDuration);
        }
        return
            Params({
                capacity: uint128(input.capacity),
                tau: uint128(input.tau),
                fixedFee: uint96(input.fixedFee),
                eta: uint96(input.eta),
                startRound: uint48(startRound),
                rule: StepRule(input.rule),
                rationing: Rationing(input.rationing),
                tolPrimal: uint96(input.tolPrimal),
                tolDual: uint96(input.tolDual),
                roundDuration: uint64(input.roundDuration)
            });
    }
}
