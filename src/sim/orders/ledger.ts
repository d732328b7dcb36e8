import type { Instrument } from '../../core/instrument.js';
import { angelExpiry, type NegativeAmountStyle, rupeeString } from './format.js';
import type { PositionRow, ProductType, RmsData, TransactionType } from './types.js';

/**
 * Margin fractions of notional for the simulator's simple RMS: SPAN and exposure for futures and short
 * options (notional = strike for options, mark price for futures), and the share of value blocked for
 * intraday cash trades. Real SPAN is a portfolio scan; this is an estimate that makes margin run out at
 * about the right size.
 */
export interface MarginRates {
  span: number;
  exposure: number;
  cashIntraday: number;
}

export const DEFAULT_MARGIN_RATES: MarginRates = { span: 0.09, exposure: 0.03, cashIntraday: 0.2 };

/** One day's position in one instrument and product, in paise and units. */
export class Position {
  buyQty = 0;
  sellQty = 0;
  buyValuePaise = 0;
  sellValuePaise = 0;

  constructor(
    readonly instrument: Instrument,
    readonly producttype: ProductType,
  ) {}

  get netQty(): number {
    return this.buyQty - this.sellQty;
  }

  add(side: TransactionType, quantity: number, pricePaise: number): void {
    if (side === 'BUY') {
      this.buyQty += quantity;
      this.buyValuePaise += quantity * pricePaise;
    } else {
      this.sellQty += quantity;
      this.sellValuePaise += quantity * pricePaise;
    }
  }

  /** average buy price in (fractional) paise, 0 with no buys */
  get buyAvgPaise(): number {
    return this.buyQty === 0 ? 0 : this.buyValuePaise / this.buyQty;
  }

  get sellAvgPaise(): number {
    return this.sellQty === 0 ? 0 : this.sellValuePaise / this.sellQty;
  }

  /** Realised P&L in paise on the matched quantity, average-price method (as Angel's day positions). */
  realisedPaise(): number {
    const closed = Math.min(this.buyQty, this.sellQty);
    return Math.round(closed * (this.sellAvgPaise - this.buyAvgPaise));
  }

  /** Unrealised P&L in paise of the open quantity at `markPaise` (0 when there is no mark). */
  unrealisedPaise(markPaise: number): number {
    const net = this.netQty;
    if (net === 0 || markPaise <= 0) return 0;
    if (net > 0) return Math.round(net * (markPaise - this.buyAvgPaise));
    return Math.round(-net * (this.sellAvgPaise - markPaise));
  }
}

export interface MarginUse {
  /** premium paid for open long options, paise */
  premiumPaise: number;
  spanPaise: number;
  exposurePaise: number;
}

function isDerivative(instrument: Instrument): boolean {
  return instrument.kind === 'option' || instrument.kind === 'future';
}

/** Margin a position holds now. */
export function positionMargin(position: Position, markPaise: number, rates: MarginRates): MarginUse {
  const net = position.netQty;
  const { instrument } = position;
  const use: MarginUse = { premiumPaise: 0, spanPaise: 0, exposurePaise: 0 };
  if (net === 0) return use;
  const mark = markPaise > 0 ? markPaise : net > 0 ? position.buyAvgPaise : position.sellAvgPaise;
  if (instrument.kind === 'option') {
    if (net > 0) use.premiumPaise = Math.round(net * position.buyAvgPaise);
    else {
      const notional = -net * (instrument.strikePaise ?? mark);
      use.spanPaise = Math.round(notional * rates.span);
      use.exposurePaise = Math.round(notional * rates.exposure);
    }
    return use;
  }
  const notional = Math.abs(net) * mark;
  if (isDerivative(instrument)) {
    use.spanPaise = Math.round(notional * rates.span);
    use.exposurePaise = Math.round(notional * rates.exposure);
  } else {
    use.spanPaise = Math.round(notional * (position.producttype === 'INTRADAY' ? rates.cashIntraday : 1));
  }
  return use;
}

/**
 * Margin per unit an order blocks while it waits, paise: the premium for an option buy, SPAN+exposure
 * for a short option or a future, nothing for the part that only reduces the existing position
 * (`reducibleQty`: units of the opposite position not already claimed by other waiting orders).
 */
export function orderMarginPerUnit(
  instrument: Instrument,
  producttype: ProductType,
  side: TransactionType,
  quantity: number,
  pricePaise: number,
  reducibleQty: number,
  rates: MarginRates,
): number {
  if (instrument.kind === 'option' && side === 'BUY') return pricePaise;
  const opening = Math.max(0, quantity - Math.max(0, reducibleQty));
  if (opening === 0) return 0;
  let perOpeningUnit: number;
  if (instrument.kind === 'option')
    perOpeningUnit = (instrument.strikePaise ?? pricePaise) * (rates.span + rates.exposure);
  else if (isDerivative(instrument)) perOpeningUnit = pricePaise * (rates.span + rates.exposure);
  else perOpeningUnit = pricePaise * (producttype === 'INTRADAY' ? rates.cashIntraday : 1);
  return (perOpeningUnit * opening) / quantity;
}

/** Angel's `symbolgroup`: `XX` for derivatives, `EQ` for equities. */
export function symbolGroup(instrument: Instrument): string {
  if (isDerivative(instrument)) return 'XX';
  return instrument.kind === 'equity' ? 'EQ' : '';
}

/** The strike as Angel's rupee string, `-1` for non-options. */
export function strikeText(instrument: Instrument): string {
  return instrument.kind === 'option' && instrument.strikePaise !== undefined
    ? rupeeString(instrument.strikePaise)
    : '-1';
}

/** A getPosition row: every value a string, amounts in rupees with two decimals. */
export function positionRow(position: Position, markPaise: number, style: NegativeAmountStyle): PositionRow {
  const { instrument } = position;
  const money = (paise: number): string => rupeeString(paise, style);
  const net = position.netQty;
  const netValue = position.sellValuePaise - position.buyValuePaise;
  const netPrice = net === 0 ? 0 : -netValue / net;
  return {
    exchange: instrument.exchange,
    symboltoken: instrument.token,
    producttype: position.producttype,
    tradingsymbol: instrument.symbol,
    symbolname: instrument.name,
    instrumenttype: instrument.instrumentType,
    priceden: '1.00',
    pricenum: '1.00',
    genden: '1.00',
    gennum: '1.00',
    precision: '2',
    multiplier: '-1',
    boardlotsize: '1',
    buyqty: String(position.buyQty),
    sellqty: String(position.sellQty),
    buyamount: money(position.buyValuePaise),
    sellamount: money(position.sellValuePaise),
    symbolgroup: symbolGroup(instrument),
    strikeprice: strikeText(instrument),
    optiontype: instrument.optionType ?? '',
    expirydate: angelExpiry(instrument.expiry),
    lotsize: String(instrument.lotSize),
    cfbuyqty: '0',
    cfsellqty: '0',
    cfbuyamount: '0.00',
    cfsellamount: '0.00',
    buyavgprice: money(position.buyAvgPaise),
    sellavgprice: money(position.sellAvgPaise),
    avgnetprice: money(netPrice),
    netvalue: money(netValue),
    netqty: String(net),
    totalbuyvalue: money(position.buyValuePaise),
    totalsellvalue: money(position.sellValuePaise),
    cfbuyavgprice: '0.00',
    cfsellavgprice: '0.00',
    totalbuyavgprice: money(position.buyAvgPaise),
    totalsellavgprice: money(position.sellAvgPaise),
    netprice: money(netPrice),
    ltp: money(markPaise),
    realised: money(position.realisedPaise()),
    unrealised: money(position.unrealisedPaise(markPaise)),
  };
}

/** An account's funds picture in paise; `rmsRow` formats it for getRMS. */
export interface FundsFigures {
  openingCashPaise: number;
  realisedPaise: number;
  unrealisedPaise: number;
  /** unrealised losses that reduce available margin (long options excluded: their premium is paid) */
  marginLossPaise: number;
  premiumPaise: number;
  spanPaise: number;
  exposurePaise: number;
  /** margin blocked by orders still waiting */
  blockedPaise: number;
}

export function utilisedPaise(f: FundsFigures): number {
  return f.premiumPaise + f.spanPaise + f.exposurePaise + f.blockedPaise;
}

/** Free margin in paise: opening cash plus realised P&L, less unrealised losses and every debit. */
export function netAvailablePaise(f: FundsFigures): number {
  return f.openingCashPaise + f.realisedPaise + f.marginLossPaise - utilisedPaise(f);
}

export function rmsRow(f: FundsFigures, style: NegativeAmountStyle): RmsData {
  const money = (paise: number): string => rupeeString(paise, style);
  return {
    net: money(netAvailablePaise(f)),
    availablecash: money(f.openingCashPaise),
    availableintradaypayin: '0.00',
    availablelimitmargin: '0.00',
    collateral: '0.00',
    m2munrealized: money(f.unrealisedPaise),
    m2mrealized: money(f.realisedPaise),
    utiliseddebits: money(utilisedPaise(f)),
    utilisedspan: money(f.spanPaise),
    utilisedoptionpremium: money(f.premiumPaise),
    utilisedholdingsales: '0.00',
    utilisedexposure: money(f.exposurePaise),
    utilisedturnover: '0.00',
    utilisedpayout: '0.00',
  };
}
