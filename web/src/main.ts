// The cashier demo page: connects with a token (from the URL fragment the demo prints, or typed), then wires the
// dashboard, the sale form, the receipt preview, the payments list and — in demo mode — the simulator panel.
import type { PosbridgeClient } from '../client.js';
import { Connection } from './connection.js';
import { Dashboard } from './dashboard.js';
import { DayReport } from './day-report.js';
import { byId } from './dom.js';
import { Notice } from './notice.js';
import { PaymentsList } from './payments-list.js';
import { ReceiptView } from './receipt-view.js';
import { SaleForm } from './sale-form.js';
import { SimPanel } from './sim-panel.js';

const TOKEN_KEY = 'posbridge.token';

/** The token from `#token=…` (then removed from the address bar, kept for this tab only), or the tab's saved one. */
function initialToken(): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function boot(): void {
  const notice = new Notice(byId('notice', HTMLElement));
  const connection = new Connection(byId('conn', HTMLElement));
  const connectPanel = byId('connect-panel', HTMLElement);
  const app = byId('app', HTMLElement);
  const tokenInput = byId('token', HTMLInputElement);
  const receipt = new ReceiptView(byId('receipt', HTMLElement), notice);
  const dashboard = new Dashboard(byId('lanes', HTMLElement), notice);
  const payments = new PaymentsList(byId('payments-body', HTMLTableSectionElement), notice, (id) => void receipt.show(id));
  let sim: SimPanel | null = null;
  const sale = new SaleForm(notice, {
    finished: (p) => {
      if (p.state === 'completed' || p.state === 'declined') void receipt.show(p.paymentId);
      else receipt.clear();
      void payments.refresh();
    },
    pinRequested: () => sim?.pinRequested(),
    started: () => {
      receipt.clear();
      sim?.clearState();
    },
  });
  sim = new SimPanel(notice, () => sale.selectedLane);
  const report = new DayReport(byId('report-body', HTMLTableSectionElement), byId('report-status', HTMLElement), byId('print-report', HTMLButtonElement), notice, () => sale.selectedLane);
  receipt.clear();

  let attached: PosbridgeClient | null = null;
  connection.onReady((client, again) => {
    if (attached !== client) {
      attached = client;
      sale.attach(client);
      dashboard.attach(client);
      receipt.attach(client);
      payments.attach(client);
      report.attach(client);
    }
    connectPanel.hidden = true;
    app.hidden = false;
    if (!again) notice.clear();
    dashboard.resetActivity();
    void dashboard.refresh();
    void payments.refresh();
    void report.refresh();
    void sim?.detect(client);
    void sale.recover(again);
  });

  const connect = async (token: string): Promise<void> => {
    try {
      await connection.open(token);
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch (err) {
      // A refused token is no use for a reload either.
      if (err instanceof Error && 'code' in err && err.code === 'UNAUTHENTICATED') sessionStorage.removeItem(TOKEN_KEY);
      notice.error(err, 'Connecting');
      connectPanel.hidden = false;
      tokenInput.focus();
    }
  };
  byId('connect-form', HTMLFormElement).addEventListener('submit', (ev) => {
    ev.preventDefault();
    void connect(tokenInput.value.trim());
  });

  const token = initialToken();
  if (token) void connect(token);
  else tokenInput.focus();
}

boot();
