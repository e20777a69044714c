/** A refusal or a problem of the agent wallets (a short budget, a bad mnemonic, an unreadable store): one line. */
export class WalletError extends Error {}
