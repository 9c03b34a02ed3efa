// One WebSocket to Web PubSub that comes back by itself: when it closes, it waits (1 s, 2 s,
// 4 s … up to 30 s, with jitter), fetches a fresh URL (a fresh token) and connects again.

import { SUBPROTOCOL } from './protocol.js';

const DELAYS_MS = [1000, 2000, 4000, 8000, 15000, 30000];

export class Connection {
  /**
   * `getUrl()` resolves to a client access URL; `onOpen()` runs on every open socket;
   * `onFrame(text)` gets each text frame; `onDrop()` runs when an open socket closes;
   * `onStatus(status, retryAt)` hears 'connecting' | 'open' | 'waiting'; `onFatal(error)`
   * gets an error from `getUrl` marked `fatal`, after which nothing is retried.
   */
  constructor({ getUrl, onOpen, onFrame, onDrop, onStatus, onFatal }) {
    Object.assign(this, { getUrl, onOpen, onFrame, onDrop, onStatus, onFatal });
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = false;
    this.status = 'connecting';
  }

  start() {
    this.connect();
  }

  /** The socket did its job (the app is online): the next drop starts the backoff afresh. */
  healthy() {
    this.attempt = 0;
  }

  async connect() {
    clearTimeout(this.timer);
    this.setStatus('connecting', 0);
    let url;
    try {
      url = await this.getUrl();
    } catch (error) {
      if (error.fatal) {
        this.stopped = true;
        this.onFatal(error);
      } else {
        this.scheduleRetry();
      }
      return;
    }
    if (this.stopped) return;
    const socket = new WebSocket(url, SUBPROTOCOL);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.setStatus('open', 0);
      this.onOpen();
    };
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') this.onFrame(event.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (opened) this.onDrop();
      if (!this.stopped) this.scheduleRetry();
    };
  }

  setStatus(status, retryAt) {
    this.status = status;
    this.onStatus(status, retryAt);
  }

  scheduleRetry() {
    const base = DELAYS_MS[Math.min(this.attempt, DELAYS_MS.length - 1)];
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt += 1;
    this.setStatus('waiting', Date.now() + delay);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Skips the wait before the next attempt. */
  retryNow() {
    if (this.status === 'waiting' && !this.stopped) this.connect();
  }

  /** Sends a frame when the socket is open; false when it is not. */
  send(frame) {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Closes the socket and counts it closed at once (a dead network may never finish the
   * close); the usual reconnect follows. */
  drop() {
    const socket = this.socket;
    if (!socket) return;
    socket.onclose?.();
    socket.onmessage = null;
    socket.close();
  }
}
