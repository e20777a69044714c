// Hardhat tasks: each file registers its own.
export {};
