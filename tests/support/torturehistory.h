#pragma once

// A generated git history that draws, from a fixed seed, every kind of change a patch release must
// carry: files in nested and new folders, changed contents, deleted files and folders, renames of
// files and folders, file <-> folder <-> symlink type changes, new symlink targets, executable-bit
// changes, names with spaces, quotes, newlines, leading dashes, shell syntax and non-ASCII, a large
// binary file, empty commits, and changes inside the shared paths. The same seed gives the same
// history on every run.

#include "gitfixture.h"

#include <QList>
#include <QRandomGenerator>
#include <QSet>

namespace rd::test {

class TortureHistory
{
public:
    // The shared paths the history changes things in (a folder and a file).
    static QStringList sharedPaths() { return {QStringLiteral("storage/logs"), QStringLiteral(".env")}; }

    // Paths like "*?[a]" are names, not patterns, for every git command the fixture runs.
    TortureHistory(GitFixture &repo, quint32 seed) : m_repo(repo), m_random(seed)
    {
        qputenv("GIT_LITERAL_PATHSPECS", "1");
    }

    // Makes `count` commits; their ids in order. Empty (and repo.lastError()) on failure.
    QStringList make(int count)
    {
        QStringList commits;
        for (int i = 0; i < count; ++i) {
            const QString kind = change(i);
            if (kind.isEmpty())
                return {};
            const QString id = m_repo.commit(QStringLiteral("%1: %2").arg(i).arg(kind));
            if (id.isEmpty())
                return {};
            commits.append(id);
        }
        return commits;
    }

private:
    enum Kind { File, Folder, Link };

    // Also what this commit staged already (several changes go into one commit).
    bool remove(const QString &path)
    {
        return m_repo.git({QStringLiteral("rm"), QStringLiteral("-r"), QStringLiteral("-q"), QStringLiteral("-f"),
                           QStringLiteral("--"), path})
            .has_value();
    }

    // A folder git no longer tracks may linger on disk (git keeps one that holds anything): it goes
    // before a file or symlink takes its place.
    void clearLeftover(const QString &path)
    {
        if (path.isEmpty()) // the repository itself
            return;
        const QFileInfo info(m_repo.path() + u'/' + path);
        if (info.isDir() && !info.isSymLink())
            QDir(info.filePath()).removeRecursively();
    }
    bool write(const QString &path, const QByteArray &bytes, bool executable = false)
    {
        clearLeftover(path);
        return m_repo.write(path, bytes, executable);
    }
    bool symlink(const QString &path, const QString &target)
    {
        clearLeftover(path);
        return m_repo.symlink(path, target);
    }

    // Whatever the history left at `path` or as a file or symlink above it goes.
    bool makeRoomFor(const QString &path)
    {
        const auto entries = tracked();
        for (qsizetype slash = path.indexOf(u'/'); slash >= 0; slash = path.indexOf(u'/', slash + 1))
            if (entries.value(path.left(slash), Folder) != Folder)
                return remove(path.left(slash));
        return entries.value(path, File) != Folder || remove(path);
    }

    int below(int bound) { return int(m_random.bounded(quint32(bound))); }

    QString name()
    {
        static const QStringList names{
            QStringLiteral("app"),         QStringLiteral("src"),          QStringLiteral("lib"),
            QStringLiteral("a b"),         QStringLiteral("it's"),         QStringLiteral("say \"hi\""),
            QStringLiteral("two\nlines"),  QStringLiteral("-rf"),          QStringLiteral("--help"),
            QStringLiteral("ünïcødé"),     QStringLiteral("深"),           QStringLiteral("文件.txt"),
            QStringLiteral("$(touch x)"),  QStringLiteral("*?[a]"),        QStringLiteral("back\\slash"),
            QStringLiteral("index.php"),   QStringLiteral("README"),       QStringLiteral("x.min.js"),
            QStringLiteral(".hidden"),     QStringLiteral("tab\there")};
        return names[below(int(names.size()))] + (below(3) == 0 ? QString::number(below(5)) : QString());
    }

    // The tracked paths with their kind, read from the index.
    QMap<QString, Kind> tracked()
    {
        QMap<QString, Kind> entries;
        const auto out = m_repo.git({QStringLiteral("ls-files"), QStringLiteral("-z"), QStringLiteral("-s")});
        if (!out)
            return entries;
        for (const QByteArray &record : out->split('\0')) {
            if (record.isEmpty())
                continue;
            const QString path = QString::fromUtf8(record.mid(record.indexOf('\t') + 1));
            entries.insert(path, record.startsWith("120000") ? Link : File);
            for (qsizetype slash = path.indexOf(u'/'); slash >= 0; slash = path.indexOf(u'/', slash + 1))
                entries.insert(path.left(slash), Folder);
        }
        return entries;
    }

    // A path the history may change freely: nothing at or above a shared path.
    bool free(const QString &path) const
    {
        for (const QString &shared : sharedPaths())
            if (path == shared || path.startsWith(shared + u'/') || shared.startsWith(path + u'/'))
                return false;
        return true;
    }

    QString pick(Kind kind)
    {
        QStringList candidates;
        const auto entries = tracked();
        for (auto it = entries.cbegin(); it != entries.cend(); ++it)
            if (it.value() == kind && free(it.key()))
                candidates.append(it.key());
        return candidates.isEmpty() ? QString() : candidates[below(int(candidates.size()))];
    }

    // A new path below an existing folder or a new one, up to four levels deep.
    QString freshPath()
    {
        const auto entries = tracked();
        for (int attempt = 0; attempt < 50; ++attempt) {
            QString parent = below(3) == 0 ? QString() : pick(Folder);
            for (int depth = below(3); depth > 0; --depth)
                parent = parent.isEmpty() ? name() : parent + u'/' + name();
            const QString path = parent.isEmpty() ? name() : parent + u'/' + name();
            bool clear = free(path) && !entries.contains(path);
            // No file or symlink may stand where a folder of the new path goes.
            for (qsizetype slash = path.indexOf(u'/'); clear && slash >= 0; slash = path.indexOf(u'/', slash + 1))
                clear = entries.value(path.left(slash), Folder) == Folder;
            if (clear)
                return path;
        }
        return QStringLiteral("fallback/%1").arg(m_counter++);
    }

    QByteArray content()
    {
        QByteArray text;
        for (int line = below(40); line >= 0; --line)
            text += "line " + QByteArray::number(m_random.generate()) + '\n';
        return text;
    }

    QString linkTarget()
    {
        static const QStringList targets{QStringLiteral("../app"), QStringLiteral("README"),
                                         QStringLiteral("/etc/hostname"), QStringLiteral("missing target"),
                                         QStringLiteral("深/文件.txt"), QStringLiteral("./a b")};
        return targets[below(int(targets.size()))];
    }

    // One change of a kind drawn at random; its name, or empty on failure.
    QString change(int index)
    {
        if (index == 0)
            return seed();
        const int kind = below(17);
        QString path;
        bool ok = true;
        switch (kind) {
        case 0:
        case 1:
            path = freshPath();
            ok = write(path, content(), below(4) == 0);
            return ok ? QStringLiteral("add %1").arg(path) : QString();
        case 2:
        case 3:
            path = pick(File);
            return path.isEmpty() || write(path, content(), below(4) == 0) ? QStringLiteral("modify %1").arg(path)
                                                                                   : QString();
        case 4:
            path = pick(File);
            return path.isEmpty() || remove(path) ? QStringLiteral("delete %1").arg(path) : QString();
        case 5:
            path = pick(Folder);
            return path.isEmpty() || remove(path) ? QStringLiteral("delete folder %1").arg(path) : QString();
        case 6:
        case 7: {
            path = pick(below(3) == 0 ? Folder : File);
            const QString to = freshPath();
            if (to.startsWith(path + u'/'))
                return QStringLiteral("no rename into itself");
            return path.isEmpty() || m_repo.move(path, to) ? QStringLiteral("rename %1 to %2").arg(path, to) : QString();
        }
        case 8: // file -> folder
            path = pick(File);
            ok = path.isEmpty() || (remove(path) && write(path + u'/' + name(), content()));
            return ok ? QStringLiteral("file to folder %1").arg(path) : QString();
        case 9: // folder -> file or symlink
            path = pick(Folder);
            ok = path.isEmpty() ||
                 (remove(path) && (below(2) ? write(path, content()) : symlink(path, linkTarget())));
            return ok ? QStringLiteral("folder to file %1").arg(path) : QString();
        case 10: // file <-> symlink
            path = pick(below(2) ? File : Link);
            if (path.isEmpty())
                return QStringLiteral("nothing to retype");
            ok = tracked().value(path) == Link ? remove(path) && write(path, content())
                                               : remove(path) && symlink(path, linkTarget());
            return ok ? QStringLiteral("retype %1").arg(path) : QString();
        case 11: // symlink target, or a symlink -> folder
            path = pick(Link);
            if (path.isEmpty())
                return symlink(freshPath(), linkTarget()) ? QStringLiteral("new symlink") : QString();
            ok = below(3) == 0 ? remove(path) && write(path + u'/' + name(), content())
                               : symlink(path, linkTarget() + QString::number(below(9)));
            return ok ? QStringLiteral("relink %1").arg(path) : QString();
        case 12:
            path = pick(File);
            return path.isEmpty() || m_repo.setExecutable(path, below(2) == 0) ? QStringLiteral("chmod %1").arg(path)
                                                                                : QString();
        case 13:
            return QStringLiteral("empty commit");
        case 14: { // inside the shared paths, which the servers keep as they are
            QStringList logs;
            const auto entries = tracked();
            for (auto it = entries.cbegin(); it != entries.cend(); ++it)
                if (it.key().startsWith(QStringLiteral("storage/logs/")))
                    logs.append(it.key());
            switch (below(3)) {
            case 0:
                ok = write(QStringLiteral(".env"), content());
                break;
            case 1:
                ok = write(QStringLiteral("storage/logs/") + name(), content());
                break;
            default:
                ok = logs.isEmpty() || remove(logs[below(int(logs.size()))]);
                break;
            }
            return ok ? QStringLiteral("shared content") : QString();
        }
        case 15: { // a large binary file, new or changed
            QByteArray bytes(3 << 20, Qt::Uninitialized);
            for (char &byte : bytes)
                byte = char(m_random.generate());
            const QString big = QStringLiteral("assets/big.bin");
            return makeRoomFor(big) && write(big, bytes) ? QStringLiteral("large binary") : QString();
        }
        default: // several changes in one commit
            for (int i = below(4) + 2; ok && i > 0; --i)
                ok = !change(1).isEmpty();
            return ok ? QStringLiteral("mixed") : QString();
        }
    }

    QString seed()
    {
        bool ok = write(QStringLiteral("app/models/user.php"), content()) &&
                  write(QStringLiteral("app/views/深/index.html"), content()) &&
                  write(QStringLiteral("bin/run"), content(), true) &&
                  write(QStringLiteral("storage/logs/.gitkeep"), {}) &&
                  write(QStringLiteral("storage/cache/data"), content()) &&
                  write(QStringLiteral(".env"), "APP_ENV=prod\n") &&
                  symlink(QStringLiteral("public/app"), QStringLiteral("../app"));
        return ok ? QStringLiteral("seed") : QString();
    }

    GitFixture &m_repo;
    QRandomGenerator m_random;
    int m_counter = 0;
};

} // namespace rd::test
