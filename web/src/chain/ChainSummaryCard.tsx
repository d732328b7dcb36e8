import type { ChainSummary } from '../api/wire';
import { clock, fixed, paise, percent, strike } from '../ui/format';
import { Stat } from '../ui/Stat';

const DAYS_PER_YEAR = 365;

/** The chain's headline numbers: where the underlying is, what the options price, where OI sits. */
export function ChainSummaryCard({ summary }: { summary: ChainSummary | undefined }) {
  if (summary === undefined) return <p class="muted">Waiting for the chain…</p>;
  const move = summary.expectedMove.oneSigma ?? summary.expectedMove.absolute;
  return (
    <div class="stats" data-testid="chain-summary">
      <Stat label="Spot" value={paise(summary.spot)} />
      <Stat
        label={`Forward${summary.forwardSource ? ` (${summary.forwardSource})` : ''}`}
        value={paise(summary.forward)}
      />
      <Stat label="ATM" value={strike(summary.atmStrike)} />
      <Stat label="ATM IV" value={percent(summary.smile.atmIv)} />
      <Stat label="PCR (OI)" value={fixed(summary.pcr.oi, 2)} />
      <Stat label="Max pain" value={strike(summary.maxPain?.strike)} />
      <Stat label="IV rank" value={fixed(summary.ivRank, 0)} />
      <Stat label="Straddle" value={paise(summary.straddle.ltp)} />
      <Stat label="Exp. move ±" value={paise(move)} />
      <Stat label="Days left" value={fixed(summary.timeYears * DAYS_PER_YEAR, 1)} />
      <Stat label="Lot" value={String(summary.lotSize)} />
      <Stat label="As of (IST)" value={clock(summary.asOfMs)} />
    </div>
  );
}
