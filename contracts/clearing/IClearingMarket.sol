// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/**
 * @title IClearingMarket
 * @notice The contract-clearing game's types, events, errors and external functions; see
 * {ClearingMarket} for the mechanism. Units: see {Settlement}.
 *
 * Return values are named in {ClearingMarket}. Here they are unnamed where they share a type, so
 * that swapping them (a mutation operator, see docs/mutation.md) is not an equivalent mutant.
 */
interface IClearingMarket {
    // ---------------------------------------------------------------- types

    /// @notice How the shadow price moves between rounds.
    enum StepRule {
        Constant, // mu + eta * (S - m)
        Diminishing, // mu + eta / sqrt(k) * (S - m), k = rounds under the current parameters
        Adaptive // see {AdaptivePrice}
    }

    /// @notice How a round's capacity is shared when total demand exceeds it.
    enum Rationing {
        ProRata, // x_i * m / S: the paper's rule, neutral to splitting, but inflating a demand takes more
        Uniform // min(x_i, lambda), water-filling: no gain from misreporting, see {UniformRationing}
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
        uint8 rationing; // Rationing
    }

    /// @notice One version of the parameters, packed into three slots.
    struct Params {
        uint128 capacity;
        uint128 tau;
        uint96 fixedFee;
        uint96 eta;
        uint48 startRound; // first round under this version
        StepRule rule;
        Rationing rationing;
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
        uint40 lastSeen; // last round it submitted or joined in: counted in early closes DORMANT_AFTER rounds more
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
        uint16 levelHint; // the bucket of the last uniform rationing's water level: where the next descent starts
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

    // ---------------------------------------------------------------- events

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

    // ---------------------------------------------------------------- errors

    error InvalidCapacity(uint256 capacity);
    /// @notice A pre-payment range that is reversed or ends beyond 2^40.
    error InvalidRoundRange(uint256 fromRound, uint256 toRound, uint256 open);
    error InvalidPrice(uint256 price);
    error InvalidFixedFee(uint256 fixedFee);
    error InvalidStepRule(uint8 rule);
    error InvalidRationing(uint8 rationing);
    error InvalidStepSize(uint256 eta);
    error InvalidTolerance(uint256 tolPrimal, uint256 tolDual);
    error InvalidRoundDuration(uint256 roundDuration);
    error ZeroAddress();
    error NotAllowed(address account);
    error AlreadyActive(address agent);
    error NotActive(address agent);
    error RoundExpired(uint256 round, uint256 deadline);
    error RoundStillOpen(uint256 round, uint256 deadline);
    /// @notice A demand meant for `round`, submitted while `open` is the open round.
    error WrongRound(uint256 round, uint256 open);
    /// @notice The demand would reserve `reserve`, above the most its sender consented to.
    error ReserveAboveMax(uint256 reserve, uint256 maxReserve);
    /// @notice `demand` exceeds `room`, what the round's total can still take below `MAX_QUANTITY`.
    error DemandTooLarge(uint256 demand, uint256 room);
    error InsufficientBalance(uint256 needed, uint256 available);
    error NotRecipient(address caller);

    // ---------------------------------------------------------------- agents

    /// @notice Joins the market (becomes an active agent) with an optional deposit.
    /// @param amount Deposit in asset base units; for native ETH it must equal `msg.value`.
    function join(uint256 amount) external payable;

    /// @notice Adds to the caller's balance.
    function deposit(uint256 amount) external payable;

    /**
     * @notice Submits (or replaces) the caller's demand for the open round at the posted price.
     * Reserves `ceil(tau * x) + ceil(mu * x) + g` (no `g` for a zero demand) from its balance. The
     * sender names the round it means and the most it will reserve, so that a submission landing
     * after a close (in the next round, at a price and fee its sender never saw) is refused instead.
     * @param round The open round the demand is meant for (`WrongRound` otherwise).
     * @param quantity Demand `x`, 1e18 = one unit.
     * @param maxReserve The most the sender will have reserved, and so charged (`ReserveAboveMax` otherwise).
     */
    function submitDemand(uint256 round, uint256 quantity, uint256 maxReserve) external;

    /// @notice Settles `agent`'s last closed round: allocation, charge, refund. Anyone may call it.
    function settle(address agent) external;

    /// @notice Withdraws `amount` of the caller's free balance (after settling its last round).
    function withdraw(uint256 amount) external;

    /// @notice Leaves the market; a demand pending in the open round is cancelled and refunded.
    function leave() external;

    // ---------------------------------------------------------------- rounds

    /**
     * @notice Closes the open round: after its deadline, or as soon as every agent expected in it
     * ({expectedSubmitters}) submitted. Records it, moves the price by the step rule, emits the residuals (and
     * {Converged} when both are within tolerance) and opens the next round.
     */
    function closeRound() external;

    /**
     * @notice {closeRound} with the uniform rule's descent starting from bucket `levelHint` instead of the last
     * round's edge: what {rationingLevel} returned just before, so that the close reads at most 2 octave and 4
     * bucket words (and the top words up to the capacity's), whatever moved the level. Any hint gives the same
     * result; a wrong one (a submission landed in between) only costs reads, at most 16 words.
     */
    function closeRoundWithHint(uint256 levelHint) external;

    /**
     * @notice The bucket the uniform rule's water level would be in if the open round closed now (for
     * {closeRoundWithHint}); the last edge when the round would not be rationed.
     */
    function rationingLevel() external view returns (uint256);

    /**
     * @notice How many agents a round waits for before it may close early: the active agents seen
     * (submitting, or joining) in it or in the {DORMANT_AFTER} rounds before. An agent silent longer
     * stops holding rounds open until it submits again.
     */
    function expectedSubmitters(uint256 round) external view returns (uint256);

    /// @notice Rounds of silence after which an agent stops counting toward early closes (3).
    // Why: the getter of a constant keeps the constant's name.
    // solhint-disable-next-line func-name-mixedcase
    function DORMANT_AFTER() external view returns (uint256);

    // ---------------------------------------------------------------- recipients

    /// @notice The fee recipient withdraws the settled protocol fees.
    function withdrawFees() external;

    /// @notice The revenue recipient withdraws the settled congestion revenue.
    function withdrawRevenue() external;

    // ---------------------------------------------------------------- governance

    /**
     * @notice Schedules new parameters for the next round (replacing any scheduled earlier in
     * this round). The open round keeps its parameters; the adaptive bracket restarts.
     */
    function scheduleParams(ParamsInput calldata input) external;

    /// @notice Sets who may withdraw fees and revenue. Balances already settled follow them.
    function setRecipients(address fees, address revenue) external;

    /// @notice Allows or disallows `account` to join (only consulted when {allowListOnly}).
    function setAllowed(address account, bool isAllowed) external;

    // ---------------------------------------------------------------- views

    /// @notice Largest total demand and capacity (quantities), so excesses fit the price rules.
    // Why: the getter of a constant keeps the constant's name.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_QUANTITY() external view returns (uint256);

    /// @notice Largest round duration.
    // Why: the getter of a constant keeps the constant's name.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_ROUND_DURATION() external view returns (uint256);

    /// @notice Payment asset; `address(0)` is native ETH.
    function asset() external view returns (address);

    /// @notice Whether only allow-listed addresses may join.
    function allowListOnly() external view returns (bool);

    function feeRecipient() external view returns (address);

    function revenueRecipient() external view returns (address);

    /// @notice Protocol fees (`tau * x + g`) settled and not yet withdrawn.
    function feesAccrued() external view returns (uint128);

    /// @notice Congestion revenue (`mu * x`) settled and not yet withdrawn.
    function revenueAccrued() external view returns (uint128);

    /// @notice Everything the contract owes: agents' free and reserved balances, fees and revenue.
    function totalLiabilities() external view returns (uint256);

    /// @notice The open round ({State}).
    function state()
        external
        view
        returns (
            uint40 round,
            uint40 deadline,
            uint32 submitted,
            uint32 positive,
            uint32 active,
            uint32 version,
            uint32 pendingVersion,
            uint16 levelHint
        );

    /// @notice A round's total demand and shadow price ({Round}).
    function rounds(uint256 round) external view returns (uint128, uint128);

    /// @notice A version of the parameters ({Params}).
    function params(
        uint256 version
    )
        external
        view
        returns (
            uint128 capacity,
            uint128 tau,
            uint96 fixedFee,
            uint96 eta,
            uint48 startRound,
            StepRule rule,
            Rationing rationing,
            uint96 tolPrimal,
            uint96 tolDual,
            uint64 roundDuration
        );

    /// @notice An agent's books ({Agent}).
    function agents(
        address agent
    )
        external
        view
        returns (
            uint128 free,
            uint128 reserved,
            uint128 demand,
            uint40 round,
            uint32 version,
            bool active,
            uint40 lastSeen
        );

    /// @notice Whether `account` is on the allow list.
    function allowed(address account) external view returns (bool);

    /// @notice The adaptive rule's bracket (`AdaptivePrice.Bracket`).
    function bracket()
        external
        view
        returns (
            uint120 lo,
            uint120 hi,
            bool hasLo,
            bool hasHi,
            uint112 excessLo,
            uint112 shortfallHi,
            uint8 lastMoved,
            bool gapConfirmed,
            uint8 stepsLeft,
            bool loChecked
        );

    /**
     * @notice The uniform rule's 64-bit result of a rationed round (`UniformRationing.close`), 0 for a round
     * that was not rationed under it: closed with total demand within capacity, under pro-rata, or still open.
     */
    function rationingResult(uint256 round) external view returns (uint64);

    /**
     * @notice Pays ahead for the first use of the uniform rule's demand tree, words `from .. to - 1` of
     * `UniformRationing.TREE_WORDS` (548): about 22,100 gas a word, once in a deployment's life, so that no
     * submission pays it. Anyone may call it; it changes no demand, balance or result.
     */
    function prefillRationingTree(uint256 from, uint256 to) external;

    /**
     * @notice Pays ahead for the storage that the closes before rounds `fromRound .. toRound - 1` create: each
     * round's record (written by the close before it) and the uniform rule's result words (four rounds to a word,
     * from the open round's): about 28,300 gas a round, so that a close writes used words only (17,100 gas less
     * for every close, and 17,100 less again for the one in four that would start a result word). It moves the
     * cost ahead and raises it (a pro-rata market pays for result words it never uses). A pre-paid record holds
     * `totalDemand = type(uint128).max`, a total no round can reach, until its round opens. Anyone may call it.
     * Rounds up to the open one are skipped (their records are live), so a range read before a close landed pays
     * for the rest.
     */
    function prefillRounds(uint256 fromRound, uint256 toRound) external;

    /// @notice The open round's number, deadline, posted price `tau + mu` and shadow price `mu`.
    function currentRound() external view returns (uint256, uint256, uint256, uint256);
}
