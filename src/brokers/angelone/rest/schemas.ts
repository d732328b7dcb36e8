import { z } from 'zod';
import type { Paise } from '../../../core/money.js';
import {
  parseIsoTime,
  parseIstDateTime,
  rupeesToPaiseLoose,
  zInt,
  zNum,
  zOptInt,
  zOptNum,
  zOptRupees,
  zRupees,
  zStr,
} from './parse.js';
import type {
  AngelCandle,
  AngelLtp,
  AngelOrder,
  AngelPosition,
  AngelProfile,
  AngelQuote,
  AngelQuoteResult,
  AngelRms,
  AngelTrade,
  AngelUnfetched,
  OrderAck,
} from './types.js';

/*
 * zod schemas for SmartAPI `data` payloads (the boundary): they accept Angel's mixed typing
 * (numbers or numeric strings, null for empty) and produce our typed, paise-denominated shapes.
 */

const nonEmpty = z.string().min(1);

export const loginDataSchema = z.object({
  jwtToken: nonEmpty,
  refreshToken: nonEmpty,
  feedToken: nonEmpty,
  state: z.string().nullish(),
});
export type LoginData = z.infer<typeof loginDataSchema>;

/** The docs show `exchanges` as a JSON-encoded string; live responses send an array. */
const stringList = z
  .union([z.array(z.string()), z.string(), z.null()])
  .optional()
  .transform((v) => {
    if (Array.isArray(v)) return v;
    if (v === null || v === undefined || v.trim() === '') return [];
    try {
      const parsed: unknown = JSON.parse(v);
      if (Array.isArray(parsed)) return parsed.filter((x): x is string => typeof x === 'string');
    } catch {
      // not JSON: fall through to comma splitting
    }
    return v
      .replace(/[[\]"]/g, '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  });

export const profileSchema = z
  .object({
    clientcode: zStr,
    name: zStr,
    email: zStr,
    mobileno: zStr,
    exchanges: stringList,
    products: stringList,
    lastlogintime: zStr,
    broker: zStr,
    brokerid: zStr,
  })
  .transform(
    (p): AngelProfile => ({
      clientCode: p.clientcode,
      name: p.name,
      email: p.email,
      mobileNo: p.mobileno,
      exchanges: p.exchanges,
      products: p.products,
      lastLoginTime: p.lastlogintime,
      broker: p.broker || p.brokerid,
    }),
  );

export const rmsSchema = z
  .object({
    net: zOptRupees,
    availablecash: zOptRupees,
    availableintradaypayin: zOptRupees,
    availablelimitmargin: zOptRupees,
    collateral: zOptRupees,
    m2munrealized: zOptRupees,
    m2mrealized: zOptRupees,
    utiliseddebits: zOptRupees,
    utilisedspan: zOptRupees,
    utilisedoptionpremium: zOptRupees,
    utilisedholdingsales: zOptRupees,
    utilisedexposure: zOptRupees,
    utilisedturnover: zOptRupees,
    utilisedpayout: zOptRupees,
  })
  .transform(
    (r): AngelRms => ({
      net: r.net,
      availableCash: r.availablecash,
      availableIntradayPayin: r.availableintradaypayin,
      availableLimitMargin: r.availablelimitmargin,
      collateral: r.collateral,
      m2mUnrealized: r.m2munrealized,
      m2mRealized: r.m2mrealized,
      utilisedDebits: r.utiliseddebits,
      utilisedSpan: r.utilisedspan,
      utilisedOptionPremium: r.utilisedoptionpremium,
      utilisedHoldingSales: r.utilisedholdingsales,
      utilisedExposure: r.utilisedexposure,
      utilisedTurnover: r.utilisedturnover,
      utilisedPayout: r.utilisedpayout,
    }),
  );

const isoTime = z.string().transform((text, ctx) => {
  const ms = parseIsoTime(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO timestamp' });
    return z.NEVER;
  }
  return ms;
});

const candleRow = z
  .tuple([isoTime, zRupees, zRupees, zRupees, zRupees, zNum])
  .rest(z.unknown())
  .transform(
    ([timeMs, open, high, low, close, volume]): AngelCandle => ({ timeMs, open, high, low, close, volume }),
  );

/** Empty ranges come back as `data: null`. */
export const candlesSchema = z
  .array(candleRow)
  .nullable()
  .transform((rows) => rows ?? []);

const depthLevel = z.object({ price: zRupees, quantity: zInt, orders: zOptInt }).transform((d) => ({
  price: d.price,
  quantity: d.quantity,
  orders: d.orders ?? 0,
}));

const istStamp = z
  .unknown()
  .optional()
  .transform((v) => parseIstDateTime(v));

const quoteRow = z
  .object({
    exchange: zStr,
    tradingSymbol: zStr,
    symbolToken: zStr,
    ltp: zRupees,
    open: zOptRupees,
    high: zOptRupees,
    low: zOptRupees,
    close: zOptRupees,
    lastTradeQty: zOptInt,
    exchFeedTime: istStamp,
    exchTradeTime: istStamp,
    netChange: zOptRupees,
    percentChange: zOptNum,
    avgPrice: zOptRupees,
    tradeVolume: zOptNum,
    opnInterest: zOptNum,
    lowerCircuit: zOptRupees,
    upperCircuit: zOptRupees,
    totBuyQuan: zOptNum,
    totSellQuan: zOptNum,
    '52WeekLow': zOptRupees,
    '52WeekHigh': zOptRupees,
    depth: z.object({ buy: z.array(depthLevel).nullish(), sell: z.array(depthLevel).nullish() }).nullish(),
  })
  .transform(
    (q): AngelQuote => ({
      exchange: q.exchange,
      tradingSymbol: q.tradingSymbol,
      symbolToken: q.symbolToken,
      ltp: q.ltp,
      open: q.open,
      high: q.high,
      low: q.low,
      close: q.close,
      lastTradeQty: q.lastTradeQty,
      exchFeedTimeMs: q.exchFeedTime,
      exchTradeTimeMs: q.exchTradeTime,
      netChange: q.netChange,
      percentChange: q.percentChange,
      avgPrice: q.avgPrice,
      tradeVolume: q.tradeVolume,
      openInterest: q.opnInterest,
      lowerCircuit: q.lowerCircuit,
      upperCircuit: q.upperCircuit,
      totBuyQuan: q.totBuyQuan,
      totSellQuan: q.totSellQuan,
      week52Low: q['52WeekLow'],
      week52High: q['52WeekHigh'],
      depth: q.depth ? { buy: q.depth.buy ?? [], sell: q.depth.sell ?? [] } : undefined,
    }),
  );

const unfetchedRow = z
  .object({ exchange: zStr, symbolToken: zStr, message: zStr, errorCode: zStr, errorcode: zStr })
  .transform(
    (u): AngelUnfetched => ({
      exchange: u.exchange,
      symbolToken: u.symbolToken,
      message: u.message,
      errorCode: u.errorCode || u.errorcode,
    }),
  );

export const quoteSchema = z
  .object({
    fetched: z.array(quoteRow).nullish(),
    unfetched: z.array(unfetchedRow).nullish(),
  })
  .nullable()
  .transform((q): AngelQuoteResult => ({ fetched: q?.fetched ?? [], unfetched: q?.unfetched ?? [] }));

export const ltpSchema = z
  .object({
    exchange: zStr,
    tradingsymbol: zStr,
    symboltoken: zStr,
    open: zOptRupees,
    high: zOptRupees,
    low: zOptRupees,
    close: zOptRupees,
    ltp: zRupees,
  })
  .transform(
    (l): AngelLtp => ({
      exchange: l.exchange,
      tradingSymbol: l.tradingsymbol,
      symbolToken: l.symboltoken,
      open: l.open,
      high: l.high,
      low: l.low,
      close: l.close,
      ltp: l.ltp,
    }),
  );

export const orderAckSchema = z
  .object({ orderid: zStr, uniqueorderid: zStr, script: zStr })
  .refine((a) => a.orderid !== '' || a.uniqueorderid !== '', 'no order id in acknowledgement')
  .transform(
    (a): OrderAck => ({
      orderId: a.orderid,
      uniqueOrderId: a.uniqueorderid,
      script: a.script === '' ? undefined : a.script,
    }),
  );

/** Angel's "no strike" markers are -1 and 0; strikes here are rupees (the master's are ×100). */
const zStrikeRupees = zOptNum.transform((n): Paise | undefined =>
  n === undefined || n <= 0 ? undefined : rupeesToPaiseLoose(n),
);

const orderRow = z
  .object({
    orderid: nonEmpty,
    uniqueorderid: zStr,
    exchangeorderid: zStr,
    parentorderid: zStr,
    variety: zStr,
    ordertype: zStr,
    producttype: zStr,
    duration: zStr,
    transactiontype: zStr,
    exchange: zStr,
    tradingsymbol: zStr,
    symboltoken: zStr,
    instrumenttype: zStr,
    optiontype: zStr,
    expirydate: zStr,
    strikeprice: zStrikeRupees,
    price: zOptRupees,
    triggerprice: zOptRupees,
    averageprice: zOptRupees,
    squareoff: zOptRupees,
    stoploss: zOptRupees,
    trailingstoploss: zOptRupees,
    quantity: zInt,
    disclosedquantity: zOptInt,
    filledshares: zOptInt,
    unfilledshares: zOptInt,
    cancelsize: zOptInt,
    lotsize: zOptInt,
    ordertag: zStr,
    status: zStr,
    orderstatus: zStr,
    text: zStr,
    updatetime: istStamp,
    exchtime: istStamp,
    exchorderupdatetime: istStamp,
  })
  .transform(
    (o): AngelOrder => ({
      orderId: o.orderid,
      uniqueOrderId: o.uniqueorderid,
      exchangeOrderId: o.exchangeorderid,
      parentOrderId: o.parentorderid,
      variety: o.variety,
      orderType: o.ordertype,
      productType: o.producttype,
      duration: o.duration,
      transactionType: o.transactiontype,
      exchange: o.exchange,
      tradingSymbol: o.tradingsymbol,
      symbolToken: o.symboltoken,
      instrumentType: o.instrumenttype,
      optionType: o.optiontype,
      expiryDate: o.expirydate,
      strikePrice: o.strikeprice,
      price: o.price,
      triggerPrice: o.triggerprice,
      averagePrice: o.averageprice,
      squareOff: o.squareoff,
      stopLoss: o.stoploss,
      trailingStopLoss: o.trailingstoploss,
      quantity: o.quantity,
      disclosedQuantity: o.disclosedquantity,
      filledShares: o.filledshares,
      unfilledShares: o.unfilledshares,
      cancelSize: o.cancelsize,
      lotSize: o.lotsize,
      orderTag: o.ordertag,
      status: o.status.toLowerCase(),
      orderStatus: o.orderstatus,
      text: o.text,
      updateTimeMs: o.updatetime,
      exchTimeMs: o.exchtime,
      exchOrderUpdateTimeMs: o.exchorderupdatetime,
    }),
  );

export const orderSchema = orderRow;
/** Empty books come back as `data: null`. */
export const orderBookSchema = z
  .array(orderRow)
  .nullable()
  .transform((rows) => rows ?? []);

const tradeRow = z
  .object({
    orderid: nonEmpty,
    fillid: zStr,
    filltime: zStr,
    fillprice: zRupees,
    fillsize: zInt,
    tradevalue: zOptRupees,
    transactiontype: zStr,
    exchange: zStr,
    producttype: zStr,
    tradingsymbol: zStr,
    instrumenttype: zStr,
    strikeprice: zStrikeRupees,
    optiontype: zStr,
    expirydate: zStr,
    marketlot: zOptInt,
  })
  .transform(
    (t): AngelTrade => ({
      orderId: t.orderid,
      fillId: t.fillid,
      fillTime: t.filltime,
      fillPrice: t.fillprice,
      fillSize: t.fillsize,
      tradeValue: t.tradevalue,
      transactionType: t.transactiontype,
      exchange: t.exchange,
      productType: t.producttype,
      tradingSymbol: t.tradingsymbol,
      instrumentType: t.instrumenttype,
      strikePrice: t.strikeprice,
      optionType: t.optiontype,
      expiryDate: t.expirydate,
      marketLot: t.marketlot,
    }),
  );

export const tradeBookSchema = z
  .array(tradeRow)
  .nullable()
  .transform((rows) => rows ?? []);

const positionRow = z
  .object({
    exchange: zStr,
    symboltoken: zStr,
    producttype: zStr,
    tradingsymbol: zStr,
    symbolname: zStr,
    instrumenttype: zStr,
    optiontype: zStr,
    expirydate: zStr,
    strikeprice: zStrikeRupees,
    lotsize: zOptInt,
    boardlotsize: zOptInt,
    precision: zOptInt,
    multiplier: zOptNum,
    pricenum: zOptNum,
    priceden: zOptNum,
    gennum: zOptNum,
    genden: zOptNum,
    buyqty: zOptInt,
    sellqty: zOptInt,
    netqty: zInt,
    cfbuyqty: zOptInt,
    cfsellqty: zOptInt,
    buyamount: zOptRupees,
    sellamount: zOptRupees,
    cfbuyamount: zOptRupees,
    cfsellamount: zOptRupees,
    buyavgprice: zOptRupees,
    sellavgprice: zOptRupees,
    avgnetprice: zOptRupees,
    netvalue: zOptRupees,
    netprice: zOptRupees,
    totalbuyvalue: zOptRupees,
    totalsellvalue: zOptRupees,
    cfbuyavgprice: zOptRupees,
    cfsellavgprice: zOptRupees,
    totalbuyavgprice: zOptRupees,
    totalsellavgprice: zOptRupees,
  })
  .transform(
    (p): AngelPosition => ({
      exchange: p.exchange,
      symbolToken: p.symboltoken,
      productType: p.producttype,
      tradingSymbol: p.tradingsymbol,
      symbolName: p.symbolname,
      instrumentType: p.instrumenttype,
      optionType: p.optiontype,
      expiryDate: p.expirydate,
      strikePrice: p.strikeprice,
      lotSize: p.lotsize,
      boardLotSize: p.boardlotsize,
      precision: p.precision,
      multiplier: p.multiplier,
      priceNum: p.pricenum,
      priceDen: p.priceden,
      genNum: p.gennum,
      genDen: p.genden,
      buyQty: p.buyqty ?? 0,
      sellQty: p.sellqty ?? 0,
      netQty: p.netqty,
      cfBuyQty: p.cfbuyqty,
      cfSellQty: p.cfsellqty,
      buyAmount: p.buyamount,
      sellAmount: p.sellamount,
      cfBuyAmount: p.cfbuyamount,
      cfSellAmount: p.cfsellamount,
      buyAvgPrice: p.buyavgprice,
      sellAvgPrice: p.sellavgprice,
      avgNetPrice: p.avgnetprice,
      netValue: p.netvalue,
      netPrice: p.netprice,
      totalBuyValue: p.totalbuyvalue,
      totalSellValue: p.totalsellvalue,
      cfBuyAvgPrice: p.cfbuyavgprice,
      cfSellAvgPrice: p.cfsellavgprice,
      totalBuyAvgPrice: p.totalbuyavgprice,
      totalSellAvgPrice: p.totalsellavgprice,
    }),
  );

/** Flat accounts come back as `data: null`. */
export const positionsSchema = z
  .array(positionRow)
  .nullable()
  .transform((rows) => rows ?? []);
