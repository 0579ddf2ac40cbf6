// Independent-client check: Binance's own npm connector (@binance/connector), pointed at the
// simulator through its base-URL options, must be able to trade and to read the user stream.
// That proves the simulator speaks Binance, not only our adapter's dialect.
//
// Usage: node binance_connector_check.js PORT
// Exit 0 and a last line "npm-client: N passed, 0 failed" on success; non-zero otherwise.
// Every wait is bounded; the whole run aborts after 60 s.
'use strict'

const { Console } = require('console')
const { Writable } = require('stream')
const { Spot, WebsocketAPI, WebsocketStream } = require('@binance/connector')

const port = Number(process.argv[2])
if (!port) {
  console.error('usage: node binance_connector_check.js PORT')
  process.exit(2)
}
// Binance's documented example key pair (VENUES.md §6.1): the simulator's default key.
const KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A'
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j'
const REST = `http://127.0.0.1:${port}`
const WS = `ws://127.0.0.1:${port}`

// The connector logs every frame at info level; keep only errors.
const quiet = new Console({ stdout: new Writable({ write (c, e, cb) { cb() } }), stderr: process.stderr })

let passed = 0
let failed = 0
function check (name, ok, detail) {
  if (ok) {
    passed++
    console.log(`ok   ${name}`)
  } else {
    failed++
    console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`)
  }
}

const deadline = setTimeout(() => {
  console.log('FAIL overall timeout (60 s)')
  console.log(`npm-client: ${passed} passed, ${failed + 1} failed`)
  process.exit(1)
}, 60000)

function waitFor (predicate, ms, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const tick = () => {
      const v = predicate()
      if (v) return resolve(v)
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`))
      setTimeout(tick, 20)
    }
    tick()
  })
}

async function restPart (client) {
  const time = await client.time()
  check('GET /api/v3/time', typeof time.data.serverTime === 'number')

  const info = await client.exchangeInfo({ symbol: 'BTCUSDT' })
  const filters = info.data.symbols[0].filters.map(f => f.filterType)
  check('exchangeInfo filters', ['PRICE_FILTER', 'LOT_SIZE', 'NOTIONAL'].every(f => filters.includes(f)))

  const placed = await client.newOrder('BTCUSDT', 'BUY', 'LIMIT', {
    price: '50000',
    quantity: '0.001',
    timeInForce: 'GTC',
    newClientOrderId: 'npm-rest-1'
  })
  check('newOrder (REST) is NEW', placed.data.status === 'NEW', JSON.stringify(placed.data))
  check('newOrder keeps the client order id', placed.data.clientOrderId === 'npm-rest-1')

  const q = await client.getOrder('BTCUSDT', { orderId: placed.data.orderId })
  check('getOrder by orderId', q.data.clientOrderId === 'npm-rest-1' && q.data.status === 'NEW')

  const open = await client.openOrders({ symbol: 'BTCUSDT' })
  check('openOrders lists it', open.data.some(o => o.orderId === placed.data.orderId))

  const c = await client.cancelOrder('BTCUSDT', { origClientOrderId: 'npm-rest-1' })
  check('cancelOrder is CANCELED', c.data.status === 'CANCELED', JSON.stringify(c.data))

  try {
    await client.getOrder('BTCUSDT', { orderId: 987654321 })
    check('unknown order gives -2013', false, 'no error')
  } catch (e) {
    const body = e.response && e.response.data
    check('unknown order gives -2013', body && body.code === -2013, JSON.stringify(body))
  }

  const acct = await client.account()
  check('account has balances', Array.isArray(acct.data.balances) && acct.data.balances.length > 0)
}

async function wsApiPart () {
  const frames = []
  let opened = false
  const ws = new WebsocketAPI(KEY, SECRET, {
    wsURL: `${WS}/ws-api/v3`,
    logger: quiet,
    callbacks: {
      open: () => { opened = true },
      message: (m) => frames.push(JSON.parse(m))
    }
  })
  await waitFor(() => opened, 5000, 'WS API connection')
  // The connector (3.x) has no userDataStream.subscribe.signature helper, but its generic
  // signed-request method signs exactly as Binance specifies (sorted params, HMAC hex).
  ws.sendSignatureMessage('userDataStream.subscribe.signature', { id: 'sub-1' })
  const sub = await waitFor(() => frames.find(f => f.id === 'sub-1'), 5000, 'subscribe answer')
  check('userDataStream.subscribe.signature', sub.status === 200 && sub.result.subscriptionId === 0,
    JSON.stringify(sub))

  ws.newOrder('BTCUSDT', 'BUY', 'MARKET', { quantity: '0.001', newClientOrderId: 'npm-ws-1', id: 'place-1' })
  const placed = await waitFor(() => frames.find(f => f.id === 'place-1'), 5000, 'order.place answer')
  check('order.place (WS API) FILLED', placed.status === 200 && placed.result.status === 'FILLED',
    JSON.stringify(placed))

  const trade = await waitFor(() => frames.find(f => f.subscriptionId === 0 && f.event &&
    f.event.e === 'executionReport' && f.event.c === 'npm-ws-1' && f.event.x === 'TRADE'),
  5000, 'executionReport TRADE')
  check('executionReport TRADE on the user stream', trade.event.X === 'FILLED')
  const pos = await waitFor(() => frames.find(f => f.event && f.event.e === 'outboundAccountPosition'),
    5000, 'outboundAccountPosition')
  check('outboundAccountPosition on the user stream', Array.isArray(pos.event.B))

  ws.getOrder('BTCUSDT', { origClientOrderId: 'npm-ws-1', id: 'status-1' })
  const st = await waitFor(() => frames.find(f => f.id === 'status-1'), 5000, 'order.status answer')
  check('order.status (WS API)', st.status === 200 && st.result.status === 'FILLED', JSON.stringify(st))
  ws.disconnect()
}

async function legacyAndStreamsPart (client) {
  // Legacy listenKey flow, still used by this connector's WebsocketStream.userData().
  const lk = await client.createListenKey()
  check('POST /api/v3/userDataStream gives a listenKey', typeof lk.data.listenKey === 'string')
  const events = []
  let opened = false
  const stream = new WebsocketStream({
    wsURL: WS,
    logger: quiet,
    callbacks: { open: () => { opened = true }, message: (m) => events.push(JSON.parse(m)) }
  })
  stream.userData(lk.data.listenKey)
  await waitFor(() => opened, 5000, 'listenKey stream connection')
  await client.newOrder('BTCUSDT', 'SELL', 'MARKET', { quantity: '0.001', newClientOrderId: 'npm-legacy-1' })
  const ev = await waitFor(() => events.find(e => e.e === 'executionReport' && e.c === 'npm-legacy-1' &&
    e.x === 'TRADE'), 5000, 'legacy executionReport')
  check('legacy user stream pushes unwrapped executionReport', ev.X === 'FILLED')
  stream.disconnect()

  const ticks = []
  let mOpened = false
  const market = new WebsocketStream({
    wsURL: WS,
    logger: quiet,
    callbacks: { open: () => { mOpened = true }, message: (m) => ticks.push(JSON.parse(m)) }
  })
  market.bookTicker('btcusdt')
  await waitFor(() => mOpened, 5000, 'bookTicker connection')
  // Nudge the market through the simulator's control endpoint.
  await fetch(`${REST}/sim/market`, {
    method: 'POST',
    body: JSON.stringify({ symbol: 'BTCUSDT', bid: '60010.00', ask: '60010.01', bidQty: '1', askQty: '1' })
  })
  const t = await waitFor(() => ticks.find(x => x.s === 'BTCUSDT' && x.b === '60010.00000000'), 5000, 'bookTicker')
  check('bookTicker stream', t.a === '60010.01000000')
  market.disconnect()
}

async function main () {
  const client = new Spot(KEY, SECRET, { baseURL: REST, logger: quiet })
  await restPart(client)
  await wsApiPart()
  await legacyAndStreamsPart(client)
}

main().then(() => {
  clearTimeout(deadline)
  console.log(`npm-client: ${passed} passed, ${failed} failed`)
  process.exit(failed === 0 ? 0 : 1)
}, (err) => {
  clearTimeout(deadline)
  console.log(`FAIL ${err && err.stack ? err.stack : err}`)
  if (err && err.response) console.log(JSON.stringify(err.response.data))
  console.log(`npm-client: ${passed} passed, ${failed + 1} failed`)
  process.exit(1)
})
