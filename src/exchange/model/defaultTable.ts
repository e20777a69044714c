/**
 * The shipped default payout table, as the contract takes it: the designer's "protective" profile
 * of games/core-exchange.json (`tables/core-exchange-protective.json`, written with the other
 * profiles by `npm run design`; a test keeps every shipped table equal to what the designer
 * produces). Why this one: docs/exchange.md, "The shipped default table".
 */
import defaultTable from "../../../tables/core-exchange-protective.json";
import { payoutTableFromJson } from "./payoutTable";

export const DEFAULT_PAYOUT_TABLE = payoutTableFromJson(defaultTable.chain);
