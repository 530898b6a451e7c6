/** `GET /preview/static/*`: the stylesheet, the icon and the optional return script. */
import type { Router } from 'express';
import { ICON, ICON_PATH, RETURN_SCRIPT, RETURN_SCRIPT_PATH, STYLESHEET, STYLESHEET_PATH } from '../pages.js';

export function mountStatic(router: Router): void {
  router.get(STYLESHEET_PATH, (_req, res) => {
    res.type('text/css').send(STYLESHEET);
  });
  router.get(ICON_PATH, (_req, res) => {
    res.type('image/svg+xml').send(ICON);
  });
  router.get(RETURN_SCRIPT_PATH, (_req, res) => {
    res.type('text/javascript').send(RETURN_SCRIPT);
  });
}
