// Hardhat tasks: each file registers its own.
import "./exchange";
import "./audit";
import "./experiments";
import "./bench";
