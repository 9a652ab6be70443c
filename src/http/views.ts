import path from 'node:path';
import ejs from 'ejs';

const layoutFile = 'layouts/main.ejs';

/**
 * An EJS engine with one layout: the view renders first, then the layout wraps its HTML as
 * `body`. A view can opt out with `layout: false` (e.g. the SCORM player frame).
 */
export function createViewEngine(viewsDir: string, cache: boolean) {
  return (filePath: string, options: object, callback: (e: unknown, html?: string) => void) => {
    const renderOptions = { cache, filename: filePath, root: viewsDir } as ejs.Options;
    ejs
      .renderFile(filePath, options, { ...renderOptions, async: false })
      .then((body) => {
        if ((options as { layout?: unknown }).layout === false) return body;
        return ejs.renderFile(path.join(viewsDir, layoutFile), { ...options, body }, renderOptions);
      })
      .then((html) => callback(null, html))
      .catch((error) => callback(error));
  };
}
