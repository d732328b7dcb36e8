export type Tab = 'chain' | 'chart' | 'signals' | 'trading' | 'health';

const TABS: ReadonlyArray<{ id: Tab; label: string; icon: string }> = [
  { id: 'chain', label: 'Chain', icon: '▦' },
  { id: 'chart', label: 'Chart', icon: '↗' },
  { id: 'signals', label: 'Signals', icon: '⚡' },
  { id: 'trading', label: 'Trades', icon: '₹' },
  { id: 'health', label: 'Health', icon: '♥' },
];

/** The phone's bottom navigation, one panel at a time (hidden on wide screens, which show every panel). */
export function TabBar({
  tab,
  onChange,
  signals,
}: {
  tab: Tab;
  onChange: (tab: Tab) => void;
  signals: number;
}) {
  return (
    <nav class="tabs" aria-label="Sections">
      {TABS.map((t) => (
        <button
          type="button"
          key={t.id}
          aria-current={t.id === tab ? 'page' : undefined}
          aria-controls={`panel-${t.id}`}
          onClick={() => onChange(t.id)}
        >
          <span class="icon" aria-hidden="true">
            {t.icon}
          </span>
          {t.label}
          {t.id === 'signals' && signals > 0 && <span class="count">{signals}</span>}
        </button>
      ))}
    </nav>
  );
}
