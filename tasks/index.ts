// Hardhat tasks: each file registers its own (utils.ts is what they share).
import "./app";
import "./audit";
import "./bench";
import "./clearing";
import "./demo";
import "./escrow";
import "./escrowDeal";
import "./exchange";
import "./market";
import "./marketLive";
import "./marketOwner";
import "./experiments";
import "./wallets";
