/**
 * Spending limits per provider or in total, per UTC day or month. Before a paid call the gateway
 * asks whether a budget is used up (the call is then refused, or sent to a free local provider)
 * and gets a warning once spending passes 80%. Sums come from the usage rows, cached for a few
 * seconds and topped up with this process's own calls in between.
 */
import { roundUsd } from './prices.js';
import type { Budget } from './settings.js';
import { startOfPeriod, type UsageStore } from './usage.js';

export const WARN_FRACTION = 0.8;
const CACHE_MS = 5_000;

export interface BudgetState {
  budget: Budget;
  spent_usd: number;
  fraction: number;
}

export interface BudgetCheck {
  /** The first budget that is used up, if any. */
  exceeded?: BudgetState;
  /** Budgets at 80% or more (and not used up). */
  warnings: BudgetState[];
}

interface CachedSpend {
  since: string;
  spent: number;
  loadedAt: number;
}

export function describeBudget(budget: Budget): string {
  const scope = budget.scope === 'total' ? 'total' : `${budget.scope}`;
  return `${budget.period === 'day' ? 'daily' : 'monthly'} ${scope} budget of $${budget.limit_usd.toFixed(2)}`;
}

export function budgetWarning(state: BudgetState): string {
  return `${Math.floor(state.fraction * 100)}% of the ${describeBudget(state.budget)} is used ($${state.spent_usd.toFixed(4)} spent)`;
}

export class BudgetGuard {
  private readonly cache = new Map<string, CachedSpend>();

  constructor(
    private readonly usage: UsageStore,
    private budgets: Budget[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  setBudgets(budgets: Budget[]): void {
    this.budgets = budgets;
    this.cache.clear();
  }

  list(): Budget[] {
    return this.budgets;
  }

  private relevant(provider: string): Budget[] {
    return this.budgets.filter((b) => b.scope === 'total' || b.scope === provider);
  }

  private async spent(budget: Budget): Promise<number> {
    const since = startOfPeriod(budget.period, this.now());
    const key = `${budget.scope}|${budget.period}`;
    const cached = this.cache.get(key);
    if (cached && cached.since === since && this.now().getTime() - cached.loadedAt < CACHE_MS) return cached.spent;
    const spent = await this.usage.spentSince(since, budget.scope === 'total' ? undefined : budget.scope);
    this.cache.set(key, { since, spent, loadedAt: this.now().getTime() });
    return spent;
  }

  async check(provider: string): Promise<BudgetCheck> {
    const result: BudgetCheck = { warnings: [] };
    for (const budget of this.relevant(provider)) {
      const spent = await this.spent(budget);
      const fraction = budget.limit_usd > 0 ? spent / budget.limit_usd : spent > 0 ? Infinity : 1;
      const state = { budget, spent_usd: spent, fraction };
      if (spent >= budget.limit_usd) {
        result.exceeded ??= state;
      } else if (fraction >= WARN_FRACTION) {
        result.warnings.push(state);
      }
    }
    return result;
  }

  /** Adds a call's cost to the cached sums, so the next check sees it without a query. */
  noteSpend(provider: string, cost: number): void {
    if (cost <= 0) return;
    for (const budget of this.relevant(provider)) {
      const cached = this.cache.get(`${budget.scope}|${budget.period}`);
      if (cached) cached.spent = roundUsd(cached.spent + cost);
    }
  }

  /** Every budget with what is spent now, for `skynette ai budget list`. */
  async status(): Promise<BudgetState[]> {
    const out: BudgetState[] = [];
    for (const budget of this.budgets) {
      const spent = await this.spent(budget);
      out.push({ budget, spent_usd: spent, fraction: budget.limit_usd > 0 ? spent / budget.limit_usd : 0 });
    }
    return out;
  }
}
