// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AssetTransfer} from "../common/AssetTransfer.sol";
import {Settlement} from "./Settlement.sol";
import {PriceUpdate, AdaptivePrice} from "./PriceUpdate.sol";

/**
 * @title ClearingMarket
 * @notice The contract-clearing game: agents share a resource of capacity `m` per round, submit
 * demands at the posted price `tau + mu`, pay a per-unit fee `tau`, a fixed fee `g` and the
 * congestion price `mu` on what they are allocated, and the market moves `mu` by dual ascent
 * until demand clears capacity (`mu >= 0, S <= m, mu * (m - S) = 0`).
 *
 * Every transaction is O(1): a submission updates the round's running total; closing a round
 * stores one record and moves the price; each agent's charge and pro-rata refund are settled
 * lazily the next time it (or anyone for it) touches the market. No loop over agents.
 *
 * Units: see {Settlement}. Money: agents' balances, fees and revenue are pull payments; the
 * contract's balance of the asset always equals {totalLiabilities} (force-sent ETH aside).
 */
contract ClearingMarket is Ownable2Step, ReentrancyGuardTransient {
    using SafeCast for uint256;

    /// @notice How the shadow price moves between rounds.
    enum StepRule {
        Constant, // mu + eta * (S - m)
        Diminishing, // mu + eta / sqrt(k) * (S - m), k = rounds under the current parameters
        Adaptive // see {AdaptivePrice}
    }

    /// @notice Governed parameters, as given to the constructor and {scheduleParams}.
    struct ParamsInput {
        uint256 capacity; // m, quantity (1e18 = one unit)
        uint256 tau; // per-unit fee, price
        uint256 fixedFee; // g, asset base units per participating agent and round
        uint8 rule; // StepRule
        uint256 eta; // step size (eta_0 for Diminishing; the search step for Adaptive), price per quantity
        uint256 tolPrimal; // convergence tolerance on |S - m|, quantity
        uint256 tolDual; // convergence tolerance on |mu' - mu|, price
        uint256 roundDuration; // seconds
    }

    /// @notice One version of the parameters, packed into three slots.
    struct Params {
        uint128 capacity;
        uint128 tau;
        uint96 fixedFee;
        uint96 eta;
        uint56 startRound; // first round under this version
        StepRule rule;
        uint96 tolPrimal;
        uint96 tolDual;
        uint64 roundDuration;
    }

    /// @notice A round: its running (then final) total demand and its shadow price.
    struct Round {
        uint128 totalDemand;
        uint128 mu;
    }

    /// @notice An agent's books. `reserved` covers its pending demand of round `round`.
    struct Agent {
        uint128 free;
        uint128 reserved;
        uint128 demand;
        uint40 round; // 0: nothing pending
        uint32 version; // parameters of that round
        bool active;
    }

    /// @notice The open round.
    struct State {
        uint40 round;
        uint40 deadline; // submissions are accepted while block.timestamp < deadline
        uint32 submitted; // agents that submitted this round
        uint32 positive; // agents whose demand this round is positive
        uint32 active; // agents that joined and did not leave
        uint32 version; // parameters in force this round
        uint32 pendingVersion; // parameters for the next round (== version: no change)
    }

    /// @notice Constructor arguments.
    struct InitConfig {
        address asset; // address(0): native ETH
        address owner;
        address feeRecipient;
        address revenueRecipient;
        bool allowListOnly;
        ParamsInput params;
    }

    /// @notice Largest total demand and capacity (quantities), so excesses fit the price rules.
    uint256 public constant MAX_QUANTITY = type(uint120).max;
    /// @notice Largest round duration.
    uint256 public constant MAX_ROUND_DURATION = 365 days;

    /// @notice Payment asset; `address(0)` is native ETH.
    address public immutable asset;
    /// @notice Whether only allow-listed addresses may join.
    bool public immutable allowListOnly;

    address public feeRecipient;
    address public revenueRecipient;
    /// @notice Protocol fees (`tau * x + g`) settled and not yet withdrawn.
    uint128 public feesAccrued;
    /// @notice Congestion revenue (`mu * x`) settled and not yet withdrawn.
    uint128 public revenueAccrued;
    /// @notice Everything the contract owes: agents' free and reserved balances, fees and revenue.
    uint256 public totalLiabilities;

    State public state;
    mapping(uint256 round => Round) public rounds;
    mapping(uint256 version => Params) public params;
    mapping(address agent => Agent) public agents;
    mapping(address account => bool) public allowed;
    AdaptivePrice.Bracket public bracket;

    /// @notice Emitted once, at deployment: what an auditor needs besides the parameters.
    event MarketOpened(address indexed asset, bool allowListOnly);
    event Joined(address indexed agent);
    event Left(address indexed agent, uint256 indexed round);
    event Deposited(address indexed agent, uint256 amount);
    event Withdrawn(address indexed agent, uint256 amount);
    /// @notice `demand` replaces the agent's earlier demand of the round; `reserved` is what its
    /// balance now holds for it and `totalDemand` the round's new running total.
    event DemandSubmitted(
        uint256 indexed round,
        address indexed agent,
        uint256 demand,
        uint256 reserved,
        uint256 totalDemand
    );
    /// @notice The agent's round-`round` demand was settled: it received `allocation` units, paid
    /// `fee` and `revenue`, and `refund` went back from reserved to free.
    event Settled(
        uint256 indexed round,
        address indexed agent,
        uint256 allocation,
        uint256 fee,
        uint256 revenue,
        uint256 refund
    );
    /// @notice Round `round` closed with total demand `totalDemand` against `capacity` at price
    /// `mu`; the next round posts `nextMu`.
    event RoundClosed(
        uint256 indexed round,
        uint256 totalDemand,
        uint256 capacity,
        uint256 mu,
        uint256 nextMu,
        uint256 primalResidual,
        uint256 dualResidual,
        uint256 version
    );
    /// @notice Both residuals of round `round` are within tolerance (or the adaptive bracket has
    /// collapsed at a price with `S <= m`).
    event Converged(uint256 indexed round, uint256 mu, uint256 totalDemand);
    event ParamsScheduled(uint256 indexed version, uint256 fromRound, ParamsInput params);
    event ParamsActivated(uint256 indexed version, uint256 indexed round);
    event RecipientsSet(address feeRecipient, address revenueRecipient);
    event AllowListSet(address indexed account, bool allowed);
    event FeesWithdrawn(address indexed recipient, uint256 amount);
    event RevenueWithdrawn(address indexed recipient, uint256 amount);

    error InvalidCapacity(uint256 capacity);
    error InvalidPrice(uint256 price);
    error InvalidFixedFee(uint256 fixedFee);
    error InvalidStepRule(uint8 rule);
    error InvalidStepSize(uint256 eta);
    error InvalidTolerance(uint256 tolPrimal, uint256 tolDual);
    error InvalidRoundDuration(uint256 roundDuration);
    error ZeroAddress();
    error NotAllowed(address account);
    error AlreadyActive(address agent);
    error NotActive(address agent);
    error RoundExpired(uint256 round, uint256 deadline);
    error RoundStillOpen(uint256 round, uint256 deadline);
    /// @notice `demand` exceeds `room`, what the round's total can still take below `MAX_QUANTITY`.
    error DemandTooLarge(uint256 demand, uint256 room);
    error InsufficientBalance(uint256 needed, uint256 available);
    error NotRecipient(address caller);

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
        emit ParamsScheduled(1, 1, cfg.params);
        emit ParamsActivated(1, 1);
        state = State({
            round: 1,
            deadline: (block.timestamp + cfg.params.roundDuration).toUint40(),
            submitted: 0,
            positive: 0,
            active: 0,
            version: 1,
            pendingVersion: 1
        });
    }

    // ---------------------------------------------------------------- agents

    /// @notice Joins the market (becomes an active agent) with an optional deposit.
    /// @param amount Deposit in asset base units; for native ETH it must equal `msg.value`.
    function join(uint256 amount) external payable nonReentrant {
        if (allowListOnly && !allowed[msg.sender]) revert NotAllowed(msg.sender);
        Agent storage a = agents[msg.sender];
        if (a.active) revert AlreadyActive(msg.sender);
        a.active = true;
        ++state.active;
        emit Joined(msg.sender);
        _deposit(a, amount);
    }

    /// @notice Adds to the caller's balance.
    function deposit(uint256 amount) external payable nonReentrant {
        _deposit(agents[msg.sender], amount);
    }

    /**
     * @notice Submits (or replaces) the caller's demand for the open round at the posted price.
     * Reserves `ceil(tau * x) + ceil(mu * x) + g` (no `g` for a zero demand) from its balance.
     * @param quantity Demand `x`, 1e18 = one unit.
     */
    function submitDemand(uint256 quantity) external {
        Agent storage a = agents[msg.sender];
        if (!a.active) revert NotActive(msg.sender);
        State memory s = state;
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
        if (reserve > available) revert InsufficientBalance(reserve, available);

        a.free = uint128(available - reserve);
        a.reserved = uint128(reserve);
        a.demand = uint128(quantity);
        a.round = s.round;
        a.version = s.version;
        r.totalDemand = uint128(total);
        emit DemandSubmitted(s.round, msg.sender, quantity, reserve, total);
    }

    /// @notice Settles `agent`'s last closed round: charge, pro-rata refund. Anyone may call it.
    function settle(address agent) external {
        _settle(agent, agents[agent], state.round);
    }

    /// @notice Withdraws `amount` of the caller's free balance (after settling its last round).
    function withdraw(uint256 amount) external nonReentrant {
        Agent storage a = agents[msg.sender];
        _settle(msg.sender, a, state.round);
        if (amount > a.free) revert InsufficientBalance(amount, a.free);
        a.free -= uint128(amount);
        totalLiabilities -= amount;
        emit Withdrawn(msg.sender, amount);
        AssetTransfer.pushOut(asset, msg.sender, amount);
    }

    /// @notice Leaves the market; a demand pending in the open round is cancelled and refunded.
    function leave() external {
        Agent storage a = agents[msg.sender];
        if (!a.active) revert NotActive(msg.sender);
        State memory s = state;
        _settle(msg.sender, a, s.round);
        if (a.round == s.round) {
            Round storage r = rounds[s.round];
            r.totalDemand -= a.demand;
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
        emit Left(msg.sender, s.round);
    }

    // ---------------------------------------------------------------- rounds

    /**
     * @notice Closes the open round: after its deadline, or as soon as every active agent
     * submitted. Records it, moves the price by the step rule, emits the residuals (and
     * {Converged} when both are within tolerance) and opens the next round.
     */
    function closeRound() external {
        State memory s = state;
        bool everyoneSubmitted = s.submitted != 0 && s.submitted == s.active;
        if (block.timestamp < s.deadline && !everyoneSubmitted) revert RoundStillOpen(s.round, s.deadline);

        uint256 nextMu = _priceRound(s);

        uint40 next = s.round + 1;
        uint32 version = s.pendingVersion;
        if (version != s.version) {
            params[version].startRound = next;
            delete bracket;
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
            pendingVersion: version
        });
    }

    // ---------------------------------------------------------------- recipients

    /// @notice The fee recipient withdraws the settled protocol fees.
    function withdrawFees() external nonReentrant {
        if (msg.sender != feeRecipient) revert NotRecipient(msg.sender);
        uint256 amount = feesAccrued;
        feesAccrued = 0;
        totalLiabilities -= amount;
        emit FeesWithdrawn(msg.sender, amount);
        AssetTransfer.pushOut(asset, msg.sender, amount);
    }

    /// @notice The revenue recipient withdraws the settled congestion revenue.
    function withdrawRevenue() external nonReentrant {
        if (msg.sender != revenueRecipient) revert NotRecipient(msg.sender);
        uint256 amount = revenueAccrued;
        revenueAccrued = 0;
        totalLiabilities -= amount;
        emit RevenueWithdrawn(msg.sender, amount);
        AssetTransfer.pushOut(asset, msg.sender, amount);
    }

    // ---------------------------------------------------------------- governance

    /**
     * @notice Schedules new parameters for the next round (replacing any scheduled earlier in
     * this round). The open round keeps its parameters; the adaptive bracket restarts.
     */
    function scheduleParams(ParamsInput calldata input) external onlyOwner {
        State storage s = state;
        uint32 version = s.version + 1;
        uint40 from = s.round + 1;
        params[version] = _pack(input, from);
        s.pendingVersion = version;
        emit ParamsScheduled(version, from, input);
    }

    /// @notice Sets who may withdraw fees and revenue. Balances already settled follow them.
    function setRecipients(address fees, address revenue) external onlyOwner {
        if (fees == address(0) || revenue == address(0)) revert ZeroAddress();
        feeRecipient = fees;
        revenueRecipient = revenue;
        emit RecipientsSet(fees, revenue);
    }

    /// @notice Allows or disallows `account` to join (only consulted when {allowListOnly}).
    function setAllowed(address account, bool isAllowed) external onlyOwner {
        allowed[account] = isAllowed;
        emit AllowListSet(account, isAllowed);
    }

    // ---------------------------------------------------------------- views

    /// @notice The open round's number, deadline and posted price `tau + mu`.
    function currentRound() external view returns (uint256 round, uint256 deadline, uint256 price, uint256 mu) {
        State memory s = state;
        mu = rounds[s.round].mu;
        return (s.round, s.deadline, params[s.version].tau + mu, mu);
    }

    // ---------------------------------------------------------------- internals

    function _deposit(Agent storage a, uint256 amount) private {
        uint256 received = AssetTransfer.pullIn(asset, msg.sender, amount);
        a.free = (a.free + received).toUint128();
        totalLiabilities += received;
        emit Deposited(msg.sender, received);
    }

    /// @dev Settles the agent's pending demand if its round has closed. O(1).
    function _settle(address who, Agent storage a, uint256 openRound) private {
        uint256 round = a.round;
        if (round == 0 || round == openRound) return;
        uint256 demand = a.demand;
        uint256 reserved = a.reserved;
        Round storage r = rounds[round];
        Params storage p = params[a.version];
        uint256 quantity = Settlement.allocation(demand, r.totalDemand, p.capacity);
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
    function _priceRound(State memory s) private returns (uint256 nextMu) {
        Round memory r = rounds[s.round];
        Params memory p = params[s.version];
        int256 excess = int256(uint256(r.totalDemand)) - int256(uint256(p.capacity));
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
        if (p.rule == StepRule.Constant) {
            return (PriceUpdate.move(mu, excess, PriceUpdate.ascentStep(p.eta, PriceUpdate.abs(excess))), false);
        }
        if (p.rule == StepRule.Diminishing) {
            uint256 eta = PriceUpdate.diminishingEta(p.eta, round - p.startRound + 1);
            return (PriceUpdate.move(mu, excess, PriceUpdate.ascentStep(eta, PriceUpdate.abs(excess))), false);
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
                startRound: uint56(startRound),
                rule: StepRule(input.rule),
                tolPrimal: uint96(input.tolPrimal),
                tolDual: uint96(input.tolDual),
                roundDuration: uint64(input.roundDuration)
            });
    }
}
