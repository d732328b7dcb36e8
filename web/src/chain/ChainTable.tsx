import { useEffect, useRef } from 'preact/hooks';
import type { BuildUp, ChainRow, ChainSide, ChainSummary } from '../api/wire';
import { fixed, label, lots, paise, percent, sign, signedLots, strike } from '../ui/format';

/** Column groups a phone shows one at a time (a desktop shows all). */
export type ChainView = 'price' | 'oi' | 'greeks';

const BUILD_UP: Record<BuildUp, { short: string; tone: string }> = {
  'long-build-up': { short: 'LB', tone: 'up' },
  'short-covering': { short: 'SC', tone: 'up' },
  'short-build-up': { short: 'SB', tone: 'down' },
  'long-unwinding': { short: 'LU', tone: 'down' },
  neutral: { short: '·', tone: 'muted' },
};

const TONE = { '-1': 'down', '0': '', '1': 'up' } as const;
const tone = (value: number | undefined) => TONE[sign(value)];

interface Column {
  key: string;
  title: string;
  view: ChainView;
  cell: (side: ChainSide) => { text: string; tone?: string; hint?: string };
}

// Listed from the strike outwards; the call side is drawn mirrored, as NSE's chain is.
const COLUMNS: readonly Column[] = [
  { key: 'ltp', title: 'LTP', view: 'price', cell: (s) => ({ text: paise(s.ltp || undefined) }) },
  {
    key: 'chg',
    title: 'Chg',
    view: 'price',
    cell: (s) => ({ text: paise(s.change), tone: tone(s.change) }),
  },
  {
    key: 'iv',
    title: 'IV',
    view: 'price',
    cell: (s) => ({ text: percent(s.iv), ...(s.ivReason ? { hint: s.ivReason } : {}) }),
  },
  { key: 'delta', title: 'Δ', view: 'greeks', cell: (s) => ({ text: fixed(s.delta, 2) }) },
  { key: 'gamma', title: 'Γ', view: 'greeks', cell: (s) => ({ text: fixed(s.gamma, 4) }) },
  { key: 'theta', title: 'Θ/day', view: 'greeks', cell: (s) => ({ text: fixed(s.theta, 2) }) },
  { key: 'vega', title: 'Vega', view: 'greeks', cell: (s) => ({ text: fixed(s.vega, 2) }) },
  { key: 'oi', title: 'OI', view: 'oi', cell: (s) => ({ text: lots(s.oi) }) },
  {
    key: 'oichg',
    title: 'OI chg',
    view: 'oi',
    cell: (s) => ({ text: signedLots(s.oiChange), tone: tone(s.oiChange) }),
  },
  {
    key: 'buildup',
    title: 'Build-up',
    view: 'oi',
    cell: (s) => {
      const shown = s.buildUp ? BUILD_UP[s.buildUp] : undefined;
      return { text: shown?.short ?? '', tone: shown?.tone ?? '', hint: label(s.buildUp) };
    },
  },
];

function Cells({
  side,
  columns,
  itm,
}: {
  side: ChainSide | undefined;
  columns: readonly Column[];
  itm: boolean;
}) {
  return (
    <>
      {columns.map((column) => {
        const cell = side ? column.cell(side) : { text: '' };
        return (
          <td
            key={column.key}
            class={`${itm ? 'itm' : ''}${cell.tone ? ` ${cell.tone}` : ''}` || undefined}
            title={cell.hint}
          >
            {cell.text}
          </td>
        );
      })}
    </>
  );
}

interface Props {
  rows: readonly ChainRow[];
  summary: ChainSummary | undefined;
  /** the column group to show, or every column (wide screens) */
  view: ChainView | 'all';
}

/** Calls left, puts right, strikes in the middle; the ATM strike marked, in-the-money sides shaded. */
export function ChainTable({ rows, summary, view }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const centredOn = useRef<string | undefined>(undefined);
  const pivot = summary?.forward ?? summary?.spot;
  const atm = summary?.atmStrike;
  const puts = view === 'all' ? COLUMNS : COLUMNS.filter((column) => column.view === view);
  const calls = [...puts].reverse();

  // Bring the ATM strike into view once per chain, not on every update (the trader may be scrolling).
  useEffect(() => {
    const box = scroller.current;
    const chainKey = summary ? `${summary.underlying}:${summary.expiry}` : undefined;
    if (box === null || atm === undefined || chainKey === undefined || centredOn.current === chainKey) return;
    const row = box.querySelector<HTMLElement>(`tr[data-strike="${atm}"]`);
    if (row === null) return;
    centredOn.current = chainKey;
    box.scrollTop = Math.max(0, row.offsetTop - box.clientHeight / 2);
  }, [atm, rows, summary]);

  // Calls and puts mirror each other, so centring a table wider than the phone keeps the strikes in view.
  const hasRows = rows.length > 0;
  useEffect(() => {
    const box = scroller.current;
    if (box !== null && hasRows) box.scrollLeft = (box.scrollWidth - box.clientWidth) / 2;
  }, [view, hasRows]);

  return (
    <div class="table-scroll chain-scroll" ref={scroller}>
      <table class="chain" data-testid="chain-table">
        <thead>
          <tr class="sides">
            <th colSpan={calls.length} class="calls">
              Calls (CE)
            </th>
            <th />
            <th colSpan={puts.length} class="puts">
              Puts (PE)
            </th>
          </tr>
          <tr>
            {calls.map((c) => (
              <th key={c.key}>{c.title}</th>
            ))}
            <th class="strike">Strike</th>
            {puts.map((c) => (
              <th key={c.key}>{c.title}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.strike}
              data-strike={row.strike}
              data-testid="chain-row"
              class={row.strike === atm ? 'atm' : undefined}
            >
              <Cells side={row.call} columns={calls} itm={pivot !== undefined && row.strike < pivot} />
              <td class="strike">{strike(row.strike)}</td>
              <Cells side={row.put} columns={puts} itm={pivot !== undefined && row.strike > pivot} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
