#pragma once

#include "release/taskhistory.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QSet>

namespace rd {

// The tasks of a data directory, newest first. Holds every task and shows those that pass the
// filter, so that the filter changes without reading the disk again and the rollback targets of an
// environment are judged on all of its tasks, not only the visible ones.
class HistoryTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Task, Target, Kind, Version, Ref, Operator, Status, When, Duration, Servers, Summary, ColumnCount };
    enum Role { SortRole = Qt::UserRole, TaskIdRole };

    using QAbstractTableModel::QAbstractTableModel;

    // `tasks` as TaskHistory::list gives them: newest first.
    void setTasks(const QList<TaskRecord> &tasks);
    // Replaces one task read again (its status changed) without resetting the view.
    void updateTask(const TaskRecord &task);
    // Project, environment and statuses are applied; the limit is not (the list is already short).
    void setFilter(const HistoryFilter &filter);
    HistoryFilter filter() const { return m_filter; }

    const QList<TaskRecord> &allTasks() const { return m_all; }
    const TaskRecord &taskAt(int row) const { return m_all.at(m_visible.at(row)); }
    int rowOfTask(const QString &taskId) const;
    // A succeeded release (not itself a rollback) whose version the environment's servers should
    // still keep, and which is not the one they run now. A guess from the history alone: the
    // rollback's own dry run checks the servers.
    bool canRollBackTo(int row) const;

    static QColor statusColor(TaskStatus status);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    bool passes(const TaskRecord &task) const;
    void refilter();
    void findRollbackTargets();
    QVariant display(const TaskRecord &task, int column) const;
    QVariant sortKey(const TaskRecord &task, int column) const;
    QString toolTip(const TaskRecord &task) const;

    QList<TaskRecord> m_all;
    QList<int> m_visible; // indexes into m_all
    HistoryFilter m_filter;
    QSet<QString> m_rollbackTargets; // task ids
};

} // namespace rd
