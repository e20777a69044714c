/**
 * The shipped default payout table (`tables/core-exchange-min-deposits.json`, written by
 * `npm run design -- --out tables/core-exchange-min-deposits.json`; a test keeps it equal to what the
 * designer produces), as the contract takes it.
 */
import defaultTable from "../../../tables/core-exchange-min-deposits.json";
import { payoutTableFromJson } from "./payoutTable";

export const DEFAULT_PAYOUT_TABLE = payoutTableFromJson(defaultTable.chain);
