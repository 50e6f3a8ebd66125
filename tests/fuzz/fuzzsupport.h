#pragma once

// What every fuzz target needs once per process: a Qt application object, a private temporary
// directory that is also $HOME (importers resolve ~ there), and a scratch inventory.

#include "inventory/inventorystore.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>

#include <cstdint>
#include <cstdlib>
#include <memory>

namespace rd::fuzz {

class Environment
{
public:
    // Made once and closed by exit handlers, not by static destruction: Qt's SQL connections are
    // statics themselves and may be gone by then.
    static Environment &get()
    {
        static Environment *environment = new Environment;
        return *environment;
    }

    QString path(const QString &name) const { return m_dir.filePath(name); }

    // A file holding exactly `data`, rewritten for every input.
    QString file(const QString &name, const uint8_t *data, size_t size) const
    {
        const QString filePath = path(name);
        QFile out(filePath);
        if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || out.write(reinterpret_cast<const char *>(data), qint64(size)) != qint64(size))
            std::abort();
        return filePath;
    }

    InventoryStore &store()
    {
        if (!m_store) {
            auto opened = InventoryStore::open(path(QStringLiteral("inventory.sqlite")));
            if (!opened)
                std::abort();
            m_store = std::move(*opened);
            std::atexit([] { get().m_store.reset(); });
        }
        return *m_store;
    }

private:
    Environment()
    {
        if (!m_dir.isValid())
            std::abort();
        qputenv("HOME", QFile::encodeName(m_dir.path()));
        qputenv("USER", "fuzz");
        std::atexit([] { get().m_dir.remove(); });
    }

    int m_argc = 1;
    char m_name[5] = "fuzz";
    char *m_argv[2] = {m_name, nullptr};
    QCoreApplication m_application{m_argc, m_argv};
    QTemporaryDir m_dir;
    std::unique_ptr<InventoryStore> m_store;
};

// The property a target checks: a failed one aborts, which the fuzzer and the replay both report.
inline void require(bool holds, const char *what)
{
    if (!holds) {
        std::fprintf(stderr, "property violated: %s\n", what);
        std::abort();
    }
}

} // namespace rd::fuzz
