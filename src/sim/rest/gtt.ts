import type { Clock } from '../../core/clock.js';
import { DAY_MS } from '../../core/time.js';
import type { MarketModel } from '../market/index.js';
import { istIso } from './format.js';

/**
 * A minimal in-memory GTT rule book (reference §3.9) so GTT calls answer in Angel's shapes. Rules are
 * stored, listed, modified and cancelled; the simulator never triggers them.
 */
export type GttStatus = 'NEW' | 'CANCELLED' | 'ACTIVE' | 'SENTTOEXCHANGE';

interface GttRule {
  id: number;
  clientid: string;
  status: GttStatus;
  createdMs: number;
  updatedMs: number;
  expiresMs: number;
  tradingsymbol: string;
  symboltoken: string;
  exchange: string;
  transactiontype: string;
  producttype: string;
  price: number;
  qty: number;
  triggerprice: number;
  disclosedqty: number;
}

export type GttResult<T> = { ok: true; data: T } | { ok: false; errorcode: string; message: string };

const GTT_ERRORS = {
  invalidParameters: ['AB9001', 'Invalid Parameters'],
  invalidStatusArray: ['AB9004', 'Invalid Status Array Size'],
  invalidQuantity: ['AB9006', 'Invalid Order Quantity'],
  invalidDisclosed: ['AB9007', 'Invalid Disclosed Quantity'],
  invalidPrice: ['AB9008', 'Invalid Price'],
  invalidTrigger: ['AB9009', 'Invalid Trigger Price'],
  invalidExchange: ['AB9010', 'Invalid Exchange Segment'],
  invalidToken: ['AB9011', 'Invalid Symbol Token'],
  invalidRule: ['AB9013', 'Invalid Rule ID'],
  invalidSide: ['AB9014', 'Invalid Order Side'],
  invalidProduct: ['AB9015', 'Invalid Product Type'],
  invalidPage: ['AB9017', 'Invalid Page Value'],
  invalidCount: ['AB9018', 'Invalid Count Value'],
} as const;

function failure<T>(name: keyof typeof GTT_ERRORS): GttResult<T> {
  const [errorcode, message] = GTT_ERRORS[name];
  return { ok: false, errorcode, message };
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

type Body = Record<string, unknown>;

const DEFAULT_TIME_PERIOD_DAYS = 365;

export class SimGttBook {
  private readonly rules = new Map<number, GttRule>();
  private nextId = 1_000_001;

  constructor(
    private readonly clock: Clock,
    private readonly market: MarketModel,
  ) {}

  create(clientCode: string, body: Body): GttResult<{ id: number }> {
    const exchange = str(body.exchange).toUpperCase();
    if (exchange !== 'NSE' && exchange !== 'BSE') return failure('invalidExchange');
    const token = str(body.symboltoken);
    const canonical = this.market.resolveToken(token);
    const instrument = canonical === undefined ? undefined : this.market.instrument(canonical);
    if (instrument === undefined) return failure('invalidToken');
    const side = str(body.transactiontype).toUpperCase();
    if (side !== 'BUY' && side !== 'SELL') return failure('invalidSide');
    const product = str(body.producttype).toUpperCase();
    if (product !== 'DELIVERY' && product !== 'MARGIN') return failure('invalidProduct');
    const checked = this.checkNumbers(body);
    if (!checked.ok) return checked;
    const now = this.clock.now();
    const days = num(body.timeperiod) ?? DEFAULT_TIME_PERIOD_DAYS;
    const rule: GttRule = {
      id: this.nextId++,
      clientid: clientCode,
      status: 'NEW',
      createdMs: now,
      updatedMs: now,
      expiresMs: now + days * DAY_MS,
      tradingsymbol: str(body.tradingsymbol) || instrument.symbol,
      symboltoken: token,
      exchange,
      transactiontype: side,
      producttype: product,
      ...checked.data,
    };
    this.rules.set(rule.id, rule);
    return { ok: true, data: { id: rule.id } };
  }

  modify(clientCode: string, body: Body): GttResult<{ id: number }> {
    const rule = this.find(clientCode, body.id);
    if (rule === undefined || rule.status === 'CANCELLED') return failure('invalidRule');
    const checked = this.checkNumbers(body);
    if (!checked.ok) return checked;
    Object.assign(rule, checked.data, { updatedMs: this.clock.now() });
    const days = num(body.timeperiod);
    if (days !== undefined) rule.expiresMs = rule.createdMs + days * DAY_MS;
    return { ok: true, data: { id: rule.id } };
  }

  cancel(clientCode: string, body: Body): GttResult<{ id: number }> {
    const rule = this.find(clientCode, body.id);
    if (rule === undefined || rule.status === 'CANCELLED') return failure('invalidRule');
    rule.status = 'CANCELLED';
    rule.updatedMs = this.clock.now();
    return { ok: true, data: { id: rule.id } };
  }

  details(clientCode: string, body: Body): GttResult<Record<string, unknown>> {
    const rule = this.find(clientCode, body.id);
    if (rule === undefined) return failure('invalidRule');
    return {
      ok: true,
      data: {
        status: rule.status,
        createddate: istIso(rule.createdMs),
        updateddate: istIso(rule.updatedMs),
        expirydate: istIso(rule.expiresMs),
        clientid: rule.clientid,
        tradingsymbol: rule.tradingsymbol,
        symboltoken: rule.symboltoken,
        exchange: rule.exchange,
        transactiontype: rule.transactiontype,
        producttype: rule.producttype,
        price: rule.price,
        qty: rule.qty,
        triggerprice: rule.triggerprice,
        disclosedqty: rule.disclosedqty,
      },
    };
  }

  /** Live answers an array (the docs show an object) with a few extra fields (§3.9). */
  list(clientCode: string, body: Body): GttResult<Record<string, unknown>[]> {
    const statuses = body.status;
    if (!Array.isArray(statuses) || statuses.length === 0) return failure('invalidStatusArray');
    const page = num(body.page);
    const count = num(body.count);
    if (page === undefined || !Number.isInteger(page) || page < 1) return failure('invalidPage');
    if (count === undefined || !Number.isInteger(count) || count < 1) return failure('invalidCount');
    const wanted = new Set(statuses.map((s) => str(s).toUpperCase()));
    const all = wanted.has('FORALL');
    const rows = [...this.rules.values()]
      .filter((rule) => rule.clientid === clientCode && (all || wanted.has(rule.status)))
      .slice((page - 1) * count, page * count)
      .map((rule) => ({
        stoplossprice: 0,
        stoplosstriggerprice: 0,
        gttType: 'GENERIC',
        status: rule.status,
        createddate: istIso(rule.createdMs),
        updateddate: istIso(rule.updatedMs),
        expirydate: istIso(rule.expiresMs),
        clientid: rule.clientid,
        tradingsymbol: rule.tradingsymbol,
        symboltoken: rule.symboltoken,
        exchange: rule.exchange,
        producttype: rule.producttype,
        transactiontype: rule.transactiontype,
        price: rule.price,
        qty: rule.qty,
        triggerprice: rule.triggerprice,
        disclosedqty: rule.disclosedqty,
        id: rule.id,
      }));
    return { ok: true, data: rows };
  }

  private find(clientCode: string, id: unknown): GttRule | undefined {
    const key = num(id);
    if (key === undefined) return undefined;
    const rule = this.rules.get(key);
    return rule?.clientid === clientCode ? rule : undefined;
  }

  private checkNumbers(
    body: Body,
  ): GttResult<{ price: number; qty: number; triggerprice: number; disclosedqty: number }> {
    const qty = num(body.qty);
    if (qty === undefined || !Number.isInteger(qty) || qty <= 0) return failure('invalidQuantity');
    const disclosedqty = num(body.disclosedqty) ?? 0;
    if (!Number.isInteger(disclosedqty) || disclosedqty < 0 || disclosedqty > qty)
      return failure('invalidDisclosed');
    const price = num(body.price);
    if (price === undefined || price < 0) return failure('invalidPrice');
    const triggerprice = num(body.triggerprice);
    if (triggerprice === undefined || triggerprice <= 0) return failure('invalidTrigger');
    return { ok: true, data: { price, qty, triggerprice, disclosedqty } };
  }
}
