-- What PostGraphile needs beyond jobrisk's tables to return the same page content, in the way
-- PostGraphile's documentation recommends (computed columns and custom queries as SQL
-- functions). bench/run applies it to the benchmark database before starting PostGraphile;
-- jobrisk ignores these functions.

-- relatedRoles(first: n): other published roles of the same category, nearest score first,
-- then title and id, as jobrisk orders them.
CREATE OR REPLACE FUNCTION roles_related_roles(r roles, n integer DEFAULT 5)
RETURNS SETOF roles AS $$
  SELECT o.* FROM roles o
  WHERE o.category_id = r.category_id AND o.id <> r.id AND o.status = 'PUBLISHED'
  ORDER BY abs(o.score - r.score), o.title, o.id
  LIMIT n
$$ LANGUAGE sql STABLE;

-- tasksAtRisk: the tasks labelled E1 or E2, in page order.
CREATE OR REPLACE FUNCTION roles_tasks_at_risk(r roles)
RETURNS SETOF role_tasks AS $$
  SELECT t.* FROM role_tasks t
  WHERE t.role_id = r.id AND t.exposure IN ('E1', 'E2')
  ORDER BY t.position
$$ LANGUAGE sql STABLE;

-- roles(filter: { search }): published roles whose folded title or summary contains the term,
-- by title then id (jobrisk's default order). The benchmark's terms hold no LIKE wildcards.
CREATE OR REPLACE FUNCTION search_roles(term text)
RETURNS SETOF roles AS $$
  SELECT r.* FROM roles r
  WHERE r.status = 'PUBLISHED' AND r.search_text LIKE '%' || lower(term) || '%'
  ORDER BY r.title, r.id
$$ LANGUAGE sql STABLE;
