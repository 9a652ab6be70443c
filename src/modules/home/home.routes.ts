import { Router } from 'express';
import type { AppContext } from '../../app';
import { requireLogin } from '../../http/auth';

/** The home page: what each role can do, in one place. */
export function createHomeRouter(_context: AppContext): Router {
  const router = Router();
  router.get('/', requireLogin, (req, res) => {
    res.render('home/index', { title: 'Forside', user: req.user });
  });
  return router;
}
