#pragma once

#include "release/logfileindex.h"

#include <QAbstractListModel>
#include <QElapsedTimer>
#include <QTimer>

namespace rd {

// The lines of one log file as a list that grows while the file does: polled, and only the
// appended lines are inserted, so views keep their selection and scroll position.
class LogFileModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role
    {
        IsStderrRole = Qt::UserRole + 1,
        TimeRole,      // QDateTime (UTC), invalid for a line that is not a record
        TextRole,      // the text without the time prefix
        TimePrefixRole // what DisplayRole puts before the text ("" when time stamps are hidden)
    };

    explicit LogFileModel(QObject *parent = nullptr);

    void setPath(const QString &path);
    QString path() const { return m_index.path(); }
    bool fileExists() const { return m_index.exists(); }
    const LogFileIndex &logIndex() const { return m_index; }

    void setShowTimestamps(bool show);
    bool showTimestamps() const { return m_showTimestamps; }
    void setPollInterval(int ms) { m_poll.setInterval(ms); }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

public slots:
    // Reads what was appended since the last look; called by the poll timer.
    void refresh();

signals:
    void fileExistsChanged(bool exists);

private:
    static QString timePrefix(const QDateTime &time);

    LogFileIndex m_index;
    QTimer m_poll;
    int m_rows = 0; // the rows views know of: the index grows before they are told
    bool m_showTimestamps = true;
    bool m_existed = false;
    QElapsedTimer m_sinceInsert;
};

} // namespace rd
