using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.EndToEnd.Support;

/// <summary>
/// Full-page PNGs of each step, in tests/SecretAdmin.EndToEnd/test-results/{TestClass}/{NN-step-name}.png
/// (ignored by git), numbered in the order they are taken within the class. A class's folder is
/// emptied the first time it takes one in a run, so what is there is what the last run saw.
/// </summary>
public sealed partial class Screenshots
{
    private static readonly ConcurrentDictionary<string, Counter> Counters = new();

    private readonly Counter _counter;

    private Screenshots(string folder, Counter counter)
    {
        Folder = folder;
        _counter = counter;
    }

    public static string ResultsRoot { get; } = Path.Combine(RepositoryRoot.Path, "tests", "SecretAdmin.EndToEnd", "test-results");

    /// <summary>Where this class's screenshots go.</summary>
    public string Folder { get; }

    public static Screenshots For<TTestClass>() => For(typeof(TTestClass).Name);

    public static Screenshots For(string testClass)
    {
        var folder = Path.Combine(ResultsRoot, testClass);
        var counter = Counters.GetOrAdd(testClass, _ =>
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
            return new Counter();
        });
        return new Screenshots(folder, counter);
    }

    /// <summary>Saves the whole page as {NN-step}.png and returns its path.</summary>
    public async Task<string> TakeAsync(IPage page, string step)
    {
        var path = Path.Combine(Folder, $"{_counter.Next():00}-{FileName(step)}.png");
        // A full-page capture of a scrolled page draws the fixed app bar and drawer at the scroll
        // offset, over the content; from the top they are where a person sees them.
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

    /// <summary>Writes a text file (e.g. the app's log) next to the screenshots.</summary>
    public Task SaveTextAsync(string fileName, string text) => File.WriteAllTextAsync(Path.Combine(Folder, fileName), text);

    private static string FileName(string step) => NotFileNameSafe().Replace(step.Trim().ToLowerInvariant(), "-").Trim('-');

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotFileNameSafe();

    private sealed class Counter
    {
        private int _value;

        public int Next() => Interlocked.Increment(ref _value);
    }
}
