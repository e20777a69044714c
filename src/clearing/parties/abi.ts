/**
 * The ClearingMarket ABI in human-readable form, so that the market's party library needs no Hardhat and no
 * build artifact at run time (test/clearing/marketTasks.test.ts keeps it equal to the compiled one).
 * `DemandTooLarge` appears once: the market's and the uniform tree's share a selector.
 */
import { Interface } from "ethers";

/** The `ParamsInput` struct. */
const PARAMS_INPUT =
  "(uint256 capacity, uint256 tau, uint256 fixedFee, uint8 rule, uint256 eta, uint256 tolPrimal, uint256 tolDual, " +
  "uint256 roundDuration, uint8 rationing)";

export const MARKET_ABI = [
  "error AlreadyActive(address agent)",
  "error DemandNotFound(uint256 demand)",
  "error DemandTooLarge(uint256 demand, uint256 room)",
  "error InsufficientBalance(uint256 needed, uint256 available)",
  "error InvalidCapacity(uint256 capacity)",
  "error InvalidFixedFee(uint256 fixedFee)",
  "error InvalidPrice(uint256 price)",
  "error InvalidRange(uint256 from, uint256 to)",
  "error InvalidRationing(uint8 rationing)",
  "error InvalidRound(uint256 round)",
  "error InvalidRoundDuration(uint256 roundDuration)",
  "error InvalidRoundRange(uint256 fromRound, uint256 toRound, uint256 open)",
  "error InvalidStepRule(uint8 rule)",
  "error InvalidStepSize(uint256 eta)",
  "error InvalidTolerance(uint256 tolPrimal, uint256 tolDual)",
  "error NativeTransferFailed(address to, uint256 amount)",
  "error NoResult()",
  "error NotActive(address agent)",
  "error NotAllowed(address account)",
  "error NotRecipient(address caller)",
  "error OwnableInvalidOwner(address owner)",
  "error OwnableUnauthorizedAccount(address account)",
  "error PRBMath_MulDiv_Overflow(uint256 x, uint256 y, uint256 denominator)",
  "error PRBMath_UD60x18_Sqrt_Overflow(uint256 x)",
  "error ReentrancyGuardReentrantCall()",
  "error ReserveAboveMax(uint256 reserve, uint256 maxReserve)",
  "error RoundExpired(uint256 round, uint256 deadline)",
  "error RoundStillOpen(uint256 round, uint256 deadline)",
  "error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)",
  "error SafeERC20FailedOperation(address token)",
  "error StaleRound(uint256 round, uint256 stamped)",
  "error TooManyDemands()",
  "error UnsupportedAsset(address asset)",
  "error WrongNativeValue(uint256 expected, uint256 sent)",
  "error WrongRound(uint256 round, uint256 open)",
  "error ZeroAddress()",
  "event AllowListSet(address indexed account, bool allowed)",
  "event Converged(uint256 indexed round, uint256 mu, uint256 totalDemand)",
  "event DemandSubmitted(uint256 indexed round, address indexed agent, uint256 demand," +
    " uint256 reserved, uint256 totalDemand)",
  "event Deposited(address indexed agent, uint256 amount)",
  "event FeesWithdrawn(address indexed recipient, uint256 amount)",
  "event Joined(address indexed agent)",
  "event Left(address indexed agent, uint256 indexed round)",
  "event MarketOpened(address indexed asset, bool allowListOnly)",
  "event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner)",
  "event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)",
  "event ParamsActivated(uint256 indexed version, uint256 indexed round)",
  `event ParamsScheduled(uint256 indexed version, uint256 fromRound, ${PARAMS_INPUT} params)`,
  "event RecipientsSet(address feeRecipient, address revenueRecipient)",
  "event RevenueWithdrawn(address indexed recipient, uint256 amount)",
  "event RoundClosed(uint256 indexed round, uint256 totalDemand, uint256 capacity, uint256 mu," +
    " uint256 nextMu, uint256 primalResidual, uint256 dualResidual, uint256 version)",
  "event Settled(uint256 indexed round, address indexed agent, uint256 allocation, uint256 fee," +
    " uint256 revenue, uint256 refund)",
  "event Withdrawn(address indexed agent, uint256 amount)",
  "function DORMANT_AFTER() view returns (uint256)",
  "function MAX_QUANTITY() view returns (uint256)",
  "function MAX_ROUND_DURATION() view returns (uint256)",
  "function acceptOwnership()",
  "function agents(address agent) view returns (uint128 free, uint128 reserved, uint128 demand," +
    " uint40 round, uint32 version, bool active, uint40 lastSeen)",
  "function allowListOnly() view returns (bool)",
  "function allowed(address account) view returns (bool)",
  "function asset() view returns (address)",
  "function bracket() view returns (uint120 lo, uint120 hi, bool hasLo, bool hasHi, uint112 excessLo," +
    " uint112 shortfallHi, uint8 lastMoved, bool gapConfirmed, uint8 stepsLeft, bool loChecked)",
  "function closeRound()",
  "function closeRoundWithHint(uint256 levelHint)",
  "function currentRound() view returns (uint256 round, uint256 deadline, uint256 price, uint256 mu)",
  "function deposit(uint256 amount) payable",
  "function expectedSubmitters(uint256 round) view returns (uint256 expected)",
  "function feeRecipient() view returns (address)",
  "function feesAccrued() view returns (uint128)",
  "function join(uint256 amount) payable",
  "function leave()",
  "function owner() view returns (address)",
  "function params(uint256 version) view returns (uint128 capacity, uint128 tau, uint96 fixedFee, uint96 eta, " +
    "uint48 startRound, uint8 rule, uint8 rationing, uint96 tolPrimal, uint96 tolDual, uint64 roundDuration)",
  "function pendingOwner() view returns (address)",
  "function prefillRounds(uint256 fromRound, uint256 toRound)",
  "function prefillRationingTree(uint256 from, uint256 to)",
  "function rationingLevel() view returns (uint256)",
  "function rationingResult(uint256 round) view returns (uint64)",
  "function renounceOwnership()",
  "function revenueAccrued() view returns (uint128)",
  "function revenueRecipient() view returns (address)",
  "function rounds(uint256 round) view returns (uint128 totalDemand, uint128 mu)",
  `function scheduleParams(${PARAMS_INPUT} input)`,
  "function setAllowed(address account, bool isAllowed)",
  "function setRecipients(address fees, address revenue)",
  "function settle(address agent)",
  "function state() view returns (uint40 round, uint40 deadline, uint32 submitted, uint32 positive," +
    " uint32 active, uint32 version, uint32 pendingVersion, uint16 levelHint)",
  "function submitDemand(uint256 round, uint256 quantity, uint256 maxReserve)",
  "function totalLiabilities() view returns (uint256)",
  "function transferOwnership(address newOwner)",
  "function withdraw(uint256 amount)",
  "function withdrawFees()",
  "function withdrawRevenue()",
] as const;

export const MARKET_INTERFACE = new Interface(MARKET_ABI);
