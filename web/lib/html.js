// Preact with htm: components as tagged templates, no JSX, no build step, no eval.
import { h, render, Fragment } from 'preact';
import { useState, useEffect, useRef, useCallback, useMemo, useReducer } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);
export { h, render, Fragment, useState, useEffect, useRef, useCallback, useMemo, useReducer };

/** Renders the page's root component into #app, replacing the "Loading…" placeholder. */
export function mount(component) {
  const root = document.getElementById('app');
  root.replaceChildren();
  render(h(component, null), root);
}
