"""What the reports and analysts see of an evaluation: DataFrames, rows, sentences, chart data.

* `frames`: pandas views of a portfolio or an evaluation (one row per form, indicator, finding);
* `formatting`: numbers, dates and titles as the reports print them;
* `marks`: status and severity symbols and words, the order of findings;
* `sentences`, `project`, `official`: what one project's report says;
* `annual`, `quality`: what the annual report says.

Nothing here renders HTML or draws a chart (that is `selfeval_kit.report`), and nothing is
imported until a module is: `import selfeval_kit.views` loads neither pandas nor the rules.
"""
