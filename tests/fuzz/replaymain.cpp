// Runs a fuzz target over every file of the corpus folders and files it is given, the way the
// fuzzer would, so what the fuzzer found stays fixed in the ordinary test suite.

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QStringList>

#include <cstdint>
#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    QStringList inputs;
    for (int i = 1; i < argc; ++i) {
        const QString argument = QFile::decodeName(argv[i]);
        if (!QFileInfo(argument).isDir()) {
            inputs.append(argument);
            continue;
        }
        QDirIterator files(argument, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (files.hasNext())
            inputs.append(files.next());
    }
    if (inputs.isEmpty()) {
        std::fprintf(stderr, "no corpus files given\n");
        return 2;
    }
    inputs.sort();
    for (const QString &input : std::as_const(inputs)) {
        QFile file(input);
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "cannot read %s\n", qPrintable(input));
            return 2;
        }
        const QByteArray data = file.readAll();
        // A crash names the input it came from.
        std::fprintf(stderr, "%s\n", qPrintable(input));
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(data.constData()), size_t(data.size()));
    }
    std::printf("%lld inputs replayed\n", static_cast<long long>(inputs.size()));
    return 0;
}
