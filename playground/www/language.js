// The page's language: which one is shown, switching it, and numbers written its way.
// The texts themselves are in strings.js.
//
// The language is ?lang=en or ?lang=pt in the address if given, else the one chosen on an
// earlier visit, else Portuguese for a browser set to Portuguese and English for any other.

import { STRINGS } from './strings.js';

const STORAGE_KEY = 'sinapse-playground-language';
const HTML_LANG = { en: 'en', pt: 'pt-BR' }; // <html lang>
const known = (lang) => Object.hasOwn(STRINGS, lang);

let current = 'en';
const listeners = [];

// The texts of the current language: t().run.start is 'Start' or 'Iniciar'.
export const t = () => STRINGS[current];

export const language = () => current;

export function initialLanguage() {
  const asked = new URLSearchParams(window.location.search).get('lang');
  if (known(asked)) return asked;
  const remembered = readStorage();
  if (known(remembered)) return remembered;
  return (navigator.language ?? '').toLowerCase().startsWith('pt') ? 'pt' : 'en';
}

// Shows the page in `lang` ('en' or 'pt'): the texts of index.html at once, and every function
// registered with onLanguageChange for the texts the code writes.
export function setLanguage(lang, { remember = false } = {}) {
  current = known(lang) ? lang : 'en';
  document.documentElement.lang = HTML_LANG[current];
  translateDocument();
  if (remember) {
    writeStorage(current);
    // An address that asks for a language now asks for this one, so that reloading keeps it.
    const url = new URL(window.location.href);
    if (url.searchParams.has('lang')) {
      url.searchParams.set('lang', current);
      window.history.replaceState(null, '', url);
    }
  }
  for (const listener of listeners) listener();
}

export function onLanguageChange(listener) {
  listeners.push(listener);
}

// A number with `digits` decimals, written the language's way: 0.25 or 0,25.
export function decimal(x, digits) {
  return x.toFixed(digits).replace('.', t().decimalPoint);
}

// A number to two significant digits (0.0012, 1.2e-7), written the language's way.
export function significant(x) {
  return x.toPrecision(2).replace('.', t().decimalPoint);
}

// A whole number with its thousands separated: 60,000 or 60.000.
export function whole(x) {
  return Math.round(x).toLocaleString(t().locale);
}

// data-t="group.key" -> the element's text; data-t-title and data-t-label -> its title and
// aria-label.
function translateDocument() {
  document.title = t().page.title;
  for (const element of document.querySelectorAll('[data-t]')) {
    element.textContent = lookup(element.dataset.t);
  }
  for (const element of document.querySelectorAll('[data-t-title]')) {
    element.title = lookup(element.dataset.tTitle);
  }
  for (const element of document.querySelectorAll('[data-t-label]')) {
    element.setAttribute('aria-label', lookup(element.dataset.tLabel));
  }
}

function lookup(path) {
  const text = path.split('.').reduce((group, key) => group?.[key], t());
  if (typeof text !== 'string') {
    console.error(`strings.js has no text ${current}.${path}`);
    return path;
  }
  return text;
}

// Storage can be switched off (private windows, some file:// pages): then nothing is remembered.
function readStorage() {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function writeStorage(lang) {
  try {
    window.localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered
  }
}
