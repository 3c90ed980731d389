"""Importers: forms read from the documents people hold into `ImportedForm`s, written as YAML form files.

* `selfeval_kit.importers.source.read_source`: a file (its format told by its content) or a folder;
* `selfeval_kit.importers.adapters`: a file as cells (`cells.Document`): PDF, HTML, Word, Excel, text;
* `selfeval_kit.importers.reader.read_forms`: the forms of a `Document`, by the vocabulary
  (`vocabulary.yaml`), with the funds and indicator tables in `funds` and `indicators`, every field a
  `fields.FieldRecord`, the checks on what was read in `checks`;
* `selfeval_kit.importers.workbook.read_workbook`: the workbooks this project writes (exact values and
  ids from their hidden sheet) and flat one-row-per-indicator tables;
* `selfeval_kit.importers.text.read_text`: text extracted from published PDFs;
* `selfeval_kit.importers.summary`: the per-field import report (`selfeval import --report`);
* `selfeval_kit.importers.imported`: what every reader returns (`ImportedForm`, `slug`);
* `selfeval_kit.importers.writing.write_forms`: validated YAML files (and drafts), all or nothing.

Within the package, imports go one way: source → adapters, reader, workbook, text → cells,
vocabulary, imported; writing → imported.
"""
