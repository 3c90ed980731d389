"""Importers: forms read from the documents people hold into `ImportedForm`s, written as YAML form files.

* `selfeval_kit.importers.source.read_source`: a file (its format told by its content) or a folder;
* `selfeval_kit.importers.adapters`: a file as cells (`cells.Document`): PDF, HTML, Word, Excel, text;
* `selfeval_kit.importers.reader.read_forms`: the forms of a `Document`, by the vocabulary
  (`vocabulary.yaml`), with the funds and indicator tables in `funds` and `indicators`, every field a
  `fields.FieldRecord`, the checks on what was read in `checks`;
* `selfeval_kit.importers.exact.read_book`: Excel workbooks, their sheets through the adapter and the
  reader, with the ids and exact values of the hidden sheet of the workbooks this project writes;
* `selfeval_kit.importers.flat`: flat one-row-per-indicator tables (a `cells.Table` with a flat header);
* text (extracted from PDFs, copied from pages): its tables rebuilt as cells, by tabs
  (`tabbed`), by the words' positions (`layout`, with `levels`, `tables`, `words`) or by the
  reading order (`sequence`, with `headings`, `budget`, `goals`, `stream`, `fitting`), then read by
  the same reader (`selfeval_kit.importers.source.read_text` for text in memory);
* `selfeval_kit.importers.summary`: the per-field import report (`selfeval import --report`);
* `selfeval_kit.importers.imported`: what every reader returns (`ImportedForm`, `slug`);
* `selfeval_kit.importers.writing.write_forms`: validated YAML files (and drafts), all or nothing.

Within the package, imports go one way: source → exact → adapters, reader, flat; source → tabbed,
layout, sequence → cells; all → cells, vocabulary, imported; writing → imported.
"""
