// Start-up script of the jobrisk GraphiQL page: renders GraphiQL into #graphiql.
// Loaded after react, react-dom and graphiql (UMD builds that set the globals React, ReactDOM
// and GraphiQL). A separate file rather than an inline script, so the page's CSP can forbid
// inline scripts.
'use strict';

(function () {
  var DEFAULT_QUERY = [
    '# jobrisk GraphQL API',
    '#',
    '# Run: the play button or Ctrl-Enter.',
    '# Docs: the book icon on the left.',
    '# Public content needs no token. Editors paste',
    '#   { "Authorization": "Bearer <token>" }',
    '# into Headers below for drafts and mutations.',
    '',
    '{',
    '  role(slug: "backend-developer") {',
    '    title',
    '    risk {',
    '      score',
    '      level',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');

  var container = document.getElementById('graphiql');
  container.textContent = '';

  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });

  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: DEFAULT_QUERY,
      // The headers editor is where editors paste their bearer token.
      isHeadersEditorEnabled: true,
      defaultHeaders: '',
      // Tokens stay in memory unless the user opts in from the settings dialog.
      shouldPersistHeaders: false,
      showPersistHeadersSettings: true,
      defaultEditorToolsVisibility: 'headers',
    }),
  );
})();
