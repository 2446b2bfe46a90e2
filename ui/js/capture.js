// Typing a reflection that saves itself: the first pause makes it, later pauses change it,
// and saves run one after another so a quick typist never makes two records of one thought.

import { api } from './api.js';

export class ReflectionWriter {
  constructor(base) {
    this.base = base; // { session_id, agenda_item_id, participant_id, prompt }
    this.id = null;
    this.queue = Promise.resolve();
    this.timer = null;
    this.lastText = '';
    this.onSaved = () => {};
    this.onError = () => {};
  }

  /** The text changed: save it shortly (well within a second of the last keystroke). */
  changed(text) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(text), 300);
  }

  /** Saves now; resolves when this and every earlier save is done. */
  save(text) {
    clearTimeout(this.timer);
    this.queue = this.queue.then(async () => {
      if (text === this.lastText) return;
      try {
        const saved = await api.saveReflection({ ...this.base, id: this.id, text });
        this.id = saved ? saved.id : null;
        this.lastText = text;
        this.onSaved(saved);
      } catch (error) {
        this.onError(error);
      }
    });
    return this.queue;
  }
}
