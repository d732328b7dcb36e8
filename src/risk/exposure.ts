import type { ExposureLists, ExposureView, RiskOrder } from './types.js';

/** The lists the gate may reason with: the known ones, or the last known when the view is unknown. */
export function usableLists(view: ExposureView): ExposureLists | undefined {
  return view.status === 'known' ? view : view.lastKnown;
}

/** Signed net units held in `token`. */
export function netPosition(lists: ExposureLists, token: string): number {
  let net = 0;
  for (const p of lists.positions) if (p.token === token) net += p.netQuantity;
  return net;
}

function remainingOf(order: RiskOrder): number {
  return order.quantity - (order.filledQuantity ?? 0);
}

/**
 * Whether the order can only shrink an existing position: a cancel, or a place/modify on the opposite side
 * of the position that, together with the other working orders on that side, does not go past flat.
 * Without usable lists nothing but a cancel qualifies.
 */
export function reducesExposure(order: RiskOrder, lists: ExposureLists | undefined): boolean {
  if (order.action === 'cancel') return true;
  if (lists === undefined) return false;
  const position = netPosition(lists, order.instrument.token);
  let sameSide = 0;
  for (const o of lists.openOrders) {
    if (
      o.token === order.instrument.token &&
      o.side === order.side &&
      o.clientOrderId !== order.clientOrderId
    ) {
      sameSide += o.remainingQuantity;
    }
  }
  const total = remainingOf(order) + sameSide;
  if (order.side === 'SELL') return position > 0 && total <= position;
  return position < 0 && total <= -position;
}

/**
 * Gross lots in the order's underlying if the order and every other working order filled: per contract the
 * worse of (position + buys) and (position − sells), in absolute units, over its lot size, summed.
 */
export function projectedLots(order: RiskOrder, lists: ExposureLists): number {
  const underlying = order.instrument.underlying;
  const perToken = new Map<string, { lotSize: number; net: number; buys: number; sells: number }>();
  const slot = (token: string, lotSize: number) => {
    let s = perToken.get(token);
    if (s === undefined) {
      s = { lotSize, net: 0, buys: 0, sells: 0 };
      perToken.set(token, s);
    }
    return s;
  };
  for (const p of lists.positions) {
    if (p.underlying === underlying) slot(p.token, p.lotSize).net += p.netQuantity;
  }
  for (const o of lists.openOrders) {
    if (o.underlying !== underlying || o.clientOrderId === order.clientOrderId) continue;
    const s = slot(o.token, o.lotSize);
    if (o.side === 'BUY') s.buys += o.remainingQuantity;
    else s.sells += o.remainingQuantity;
  }
  const own = slot(order.instrument.token, order.instrument.lotSize);
  if (order.side === 'BUY') own.buys += remainingOf(order);
  else own.sells += remainingOf(order);
  let lots = 0;
  for (const s of perToken.values()) {
    lots += Math.max(Math.abs(s.net + s.buys), Math.abs(s.net - s.sells)) / s.lotSize;
  }
  return lots;
}

/**
 * Premium at risk in paise if the order fills: long option positions at their mark (or cost), working
 * option buys at their limit, plus this order when it is an option buy. Working buys that would close
 * shorts are counted too, which errs on the safe side.
 */
export function premiumAtRiskPaise(order: RiskOrder, lists: ExposureLists, orderPricePaise: number): number {
  let total = 0;
  for (const p of lists.positions) {
    if (p.kind === 'option' && p.netQuantity > 0)
      total += p.netQuantity * (p.markPaise ?? p.averagePricePaise);
  }
  for (const o of lists.openOrders) {
    if (o.kind === 'option' && o.side === 'BUY' && o.clientOrderId !== order.clientOrderId) {
      total += o.remainingQuantity * (o.limitPricePaise ?? 0);
    }
  }
  if (order.instrument.kind === 'option' && order.side === 'BUY')
    total += remainingOf(order) * orderPricePaise;
  return total;
}
