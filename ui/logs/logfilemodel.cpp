#include "logfilemodel.h"

#include <QBrush>
#include <QColor>

namespace rd {

namespace {

// A huge file is read in slices of this size, one per turn of the event loop, so the window stays live.
constexpr qint64 SliceBytes = 4 * 1024 * 1024;
constexpr int InsertEveryMs = 200;

} // namespace

LogFileModel::LogFileModel(QObject *parent) : QAbstractListModel(parent)
{
    m_poll.setInterval(200);
    connect(&m_poll, &QTimer::timeout, this, &LogFileModel::refresh);
}

void LogFileModel::setPath(const QString &path)
{
    beginResetModel();
    m_index.setPath(path);
    m_rows = 0;
    endResetModel();
    refresh();
    if (path.isEmpty())
        m_poll.stop();
    else
        m_poll.start();
}

void LogFileModel::setShowTimestamps(bool show)
{
    if (show == m_showTimestamps)
        return;
    m_showTimestamps = show;
    if (m_rows > 0)
        emit dataChanged(index(0), index(m_rows - 1), {Qt::DisplayRole, TimePrefixRole});
}

void LogFileModel::refresh()
{
    const LogFileIndex::Refresh change = m_index.refresh(SliceBytes);
    if (change.reset) {
        beginResetModel();
        m_rows = 0;
        endResetModel();
    }
    if (change.more) {
        QTimer::singleShot(0, this, &LogFileModel::refresh);
        // Views lay out every row again on each insertion: while a big file is read, they are told
        // a few times a second, not after every slice.
        if (m_sinceInsert.isValid() && m_sinceInsert.elapsed() < InsertEveryMs)
            return;
    }
    const int lines = m_index.lineCount();
    if (lines > m_rows) {
        beginInsertRows({}, m_rows, lines - 1);
        m_rows = lines;
        endInsertRows();
        m_sinceInsert.start();
    }
    if (m_index.exists() != m_existed) {
        m_existed = m_index.exists();
        emit fileExistsChanged(m_existed);
    }
}

int LogFileModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

QString LogFileModel::timePrefix(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz ")) : QString();
}

QVariant LogFileModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case TextRole:
    case TimePrefixRole:
    case TimeRole:
    case IsStderrRole:
    case Qt::ForegroundRole:
    case Qt::ToolTipRole:
        break;
    default:
        return {};
    }
    const LogLine line = m_index.line(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return m_showTimestamps ? timePrefix(line.time) + line.text : line.text;
    case TextRole:
        return line.text;
    case TimePrefixRole:
        return m_showTimestamps ? timePrefix(line.time) : QString();
    case TimeRole:
        return line.time;
    case IsStderrRole:
        return line.isStderr;
    case Qt::ForegroundRole:
        return line.isStderr ? QVariant(QBrush(QColor(0xc6, 0x28, 0x28))) : QVariant();
    case Qt::ToolTipRole:
        if (!line.time.isValid())
            return {};
        {
            const QString time = line.time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
            return line.isStderr ? tr("%1 UTC, standard error").arg(time)
                                 : tr("%1 UTC, standard output").arg(time);
        }
    }
    return {};
}

} // namespace rd
