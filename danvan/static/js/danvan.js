/*
 * Dân Vận Số: progressive enhancement only.
 *
 * Every page works without this file: menus are <details> elements, confirmations
 * are server-rendered pages and live pages refresh with <meta http-equiv="refresh">.
 * Keep it that way; add code here only when it makes a working page nicer.
 */
"use strict";
