"""Publishing: the report notebooks run by papermill, exported as self-contained HTML pages.

* `build`: the build (`build.build`, `BuildOptions`), incremental and parallel;
* `render`: one report (`render_report`); `exporter`: the HTML page of an executed notebook;
* `inprocess`: the default engine, notebooks run in the worker's own IPython shell; `recipe`: a
  notebook that only shows a report's sections, read so that they are called without the shell;
* `kernel`: each worker's warm Jupyter kernel; `engine`: the papermill engine that runs in it;
* `manifest`: what each page was built from; `digest`: digests of the inputs;
* `index`: the index page; `results`: `ReportOutcome` and `BuildResult`.

The notebooks (``notebooks/``) and the page template (``templates/selfeval``) are package data.
Nothing is imported here: a build with nothing to do must answer before the heavy libraries load.
"""

__all__: list[str] = []
