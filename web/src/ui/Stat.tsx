import type { ComponentChildren } from 'preact';

/** One labelled figure in a grid of figures. */
export function Stat({ label, value, tone }: { label: string; value: ComponentChildren; tone?: string }) {
  return (
    <div class="stat">
      <div class="stat-label">{label}</div>
      <div class={`stat-value${tone ? ` ${tone}` : ''}`}>{value}</div>
    </div>
  );
}
