import { clock, paise } from './format';

type Row = Record<string, unknown>;

/**
 * The rows of a list resource (orders, positions), whatever the server's exact fields: scalar fields
 * become columns, `…Paise` fields are shown in rupees and `…Ms` fields as IST times.
 */
export function rowsOf(data: unknown, key: string): Row[] | undefined {
  const list = Array.isArray(data) ? data : (data as Record<string, unknown> | null)?.[key];
  return Array.isArray(list)
    ? list.filter((row): row is Row => typeof row === 'object' && row !== null)
    : undefined;
}

export function formatField(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') {
    if (name.endsWith('Paise')) return paise(value);
    if (name.endsWith('Ms')) return clock(value);
    return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  return '';
}

/** "realisedPaise" → "realised ₹", "createdAtMs" → "created at" */
export function fieldTitle(name: string): string {
  const base = name.replace(/Paise$/, ' ₹').replace(/Ms$/, '');
  return base.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export function DataTable({ rows, empty, max = 50 }: { rows: Row[]; empty: string; max?: number }) {
  if (rows.length === 0) return <p class="muted">{empty}</p>;
  const columns = [...new Set(rows.slice(0, 20).flatMap((row) => Object.keys(row)))].filter((name) =>
    rows.some((row) => ['string', 'number', 'boolean'].includes(typeof row[name])),
  );
  return (
    <div class="table-scroll">
      <table class="data">
        <thead>
          <tr>
            {columns.map((name) => (
              <th key={name}>{fieldTitle(name)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, max).map((row, index) => (
            <tr key={index}>
              {columns.map((name) => (
                <td key={name}>{formatField(name, row[name])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
