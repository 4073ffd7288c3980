//! The panel's stylesheet, scoped under `.bench-panel` (the app's style.css belongs to the
//! shell; keeping these rules here keeps the panel self-contained).

pub const CSS: &str = r#"
.bench-panel { margin-top: 4px; }
.bench-panel h2 { margin: 0 0 10px; font-size: 16px; }
.bench-panel button { font: inherit; font-size: 13px; padding: 5px 12px; border-radius: 7px;
  border: 1px solid var(--line, #dbe2ea); background: #f8fafc; color: var(--ink, #1e293b);
  cursor: pointer; }
.bench-panel button:hover:not(:disabled) { border-color: var(--accent, #2563eb); }
.bench-panel button:disabled { opacity: .55; cursor: default; }
.bench-panel button.primary { background: var(--accent, #2563eb); border-color: var(--accent, #2563eb);
  color: white; }
.bench-label { font-size: 12px; color: var(--muted, #64748b); text-transform: uppercase;
  letter-spacing: .4px; }
.bench-scenario { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; margin-bottom: 10px; }
.bench-scenario select { font: inherit; font-size: 14px; padding: 5px 8px; border-radius: 6px;
  border: 1px solid var(--line, #dbe2ea); }
.bench-description { color: var(--muted, #64748b); font-size: 14px; }
.bench-fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr));
  gap: 8px 12px; }
.bench-field { display: flex; flex-direction: column; gap: 3px; min-width: 0; }
.bench-field input, .bench-field select { font: inherit; font-size: 14px; padding: 4px 7px;
  border: 1px solid var(--line, #dbe2ea); border-radius: 6px; width: 100%; background: white;
  color: var(--ink, #1e293b); }
.bench-field.invalid input, .bench-field.invalid select { border-color: #dc2626;
  background: #fef2f2; }
.bench-field-error { color: #b91c1c; font-size: 12px; line-height: 1.3; }
.bench-advanced { margin-top: 8px; font-size: 13px; }
.bench-advanced summary { cursor: pointer; color: var(--muted, #64748b); margin-bottom: 6px; }
.bench-error { margin-top: 10px; padding: 8px 12px; border: 1px solid #f87171; border-radius: 8px;
  background: #fef2f2; color: #7f1d1d; font-size: 13px; }
.bench-error ul { margin: 4px 0 0; padding-left: 18px; }
.bench-actions { display: flex; align-items: center; gap: 10px; margin-top: 12px; }
.bench-actions button { font-size: 14px; padding: 6px 18px; }
.bench-progress-wrap { flex: 1; display: flex; align-items: center; gap: 10px; min-width: 0; }
.bench-progress { flex: 1; height: 10px; border-radius: 5px; background: #e2e8f0; overflow: hidden;
  max-width: 420px; }
.bench-progress-fill { height: 100%; background: var(--accent, #2563eb); transition: width .1s; }
.bench-status { font-size: 13px; color: var(--muted, #64748b); white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; font-variant-numeric: tabular-nums; }
.bench-results { margin-top: 14px; }
.bench-timing { font-size: 13px; color: var(--muted, #64748b); margin: 0 0 8px; }
.bench-timing strong { color: var(--ink, #1e293b); }
.bench-note { font-size: 13px; color: #92400e; margin: 0 0 8px; }
.bench-table-wrap { overflow-x: auto; }
.bench-table { border-collapse: collapse; font-size: 13px; width: 100%;
  font-variant-numeric: tabular-nums; }
.bench-table th, .bench-table td { padding: 4px 6px; text-align: right;
  border-bottom: 1px solid #eef2f7; white-space: nowrap; }
.bench-table thead th { color: var(--muted, #64748b); font-weight: 600; font-size: 12px;
  border-bottom: 2px solid var(--line, #dbe2ea); }
.bench-table th[scope=row], .bench-table td.op, .bench-table thead th:nth-child(-n+2) {
  text-align: left; }
.bench-table th[scope=row] { vertical-align: top; font-weight: 600; }
.bench-table th[scope=row] .nodes { display: block; font-weight: 400; font-size: 12px;
  color: var(--muted, #64748b); }
.bench-table td.wall .ratio { display: block; font-size: 11px; color: var(--muted, #64748b); }
.bench-table tbody { border-bottom: 2px solid var(--line, #dbe2ea); }
.bench-table tr.overall td { font-weight: 600; }
.bench-failover { font-size: 13px; margin: 8px 0 0; padding-left: 18px; }
.bench-exports { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; margin: 12px 0; }
.bench-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 14px; }
.bench-chart { margin: 0; border: 1px solid var(--line, #dbe2ea); border-radius: 8px;
  padding: 6px; background: white; }
.bench-chart canvas { display: block; width: 100%; height: auto; }
.bench-chart figcaption { display: flex; align-items: center; gap: 6px; margin-top: 4px;
  font-size: 12px; color: var(--muted, #64748b); }
.bench-chart-desc { flex: 1; }
"#;
