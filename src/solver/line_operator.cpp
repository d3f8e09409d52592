#include "line_operator.hpp"

#include <algorithm>
#include <cmath>

namespace imcosim::solver {

namespace {

// Below this many node updates a kernel runs on one thread: forking costs more than it saves.
constexpr Eigen::Index parallel_work = Eigen::Index{1} << 15;
// Column lines are swept together, a block of adjacent columns at a time, so that every step
// along the lines reads and writes contiguous memory (the storage is row-major).
constexpr Eigen::Index column_block = 512;

double conductance_of(double r_ohm) { return r_ohm > 0.0 ? 1.0 / r_ohm : 0.0; }

}  // namespace

LineOperator::LineOperator(const circuit::CrossbarTile& tile)
    : m_(tile.rows()),
      n_(tile.cols()),
      row_length_(tile.wires().r_row_ohm > 0.0 ? tile.cols() : 1),
      column_length_(tile.wires().r_col_ohm > 0.0 ? tile.rows() : 1),
      row_held_(tile.wires().r_source_ohm == 0.0),
      column_held_(tile.wires().r_sense_ohm == 0.0),
      g_row_(conductance_of(tile.wires().r_row_ohm)),
      g_col_(conductance_of(tile.wires().r_col_ohm)),
      g_source_(conductance_of(tile.wires().r_source_ohm)),
      g_sense_(conductance_of(tile.wires().r_sense_ohm)),
      g_siemens_(tile.conductance_siemens()) {
  // Diagonals: the total conductance at each free node.
  row_diagonal_.setZero(row_size());
  column_diagonal_.setZero(column_size());
  for (Eigen::Index i = 0; i < m_; ++i) {
    for (Eigen::Index j = 0; j < n_; ++j) {
      row_diagonal_(i * row_length_ + row_position(j)) += g_siemens_(i, j);
      column_diagonal_(column_position(i) * n_ + j) += g_siemens_(i, j);
    }
  }
  for (Eigen::Index i = 0; i < m_; ++i) {
    auto line = row_diagonal_.segment(i * row_length_, row_length_);
    for (Eigen::Index p = 0; p + 1 < row_length_; ++p) {
      line(p) += g_row_;
      line(p + 1) += g_row_;
    }
    line(0) = row_held_ ? 1.0 : line(0) + g_source_;
  }
  for (Eigen::Index j = 0; j < n_; ++j) {
    for (Eigen::Index p = 0; p + 1 < column_length_; ++p) {
      column_diagonal_(p * n_ + j) += g_col_;
      column_diagonal_((p + 1) * n_ + j) += g_col_;
    }
    auto& end = column_diagonal_((column_length_ - 1) * n_ + j);
    end = column_held_ ? 1.0 : end + g_sense_;
  }

  // Thomas pivots: d'_0 = d_0, d'_p = d_p - g_link(p-1)^2 / d'_(p-1). Every free line matrix
  // is diagonally dominant (devices are strictly positive), so no pivot vanishes.
  row_inverse_pivot_.resize(row_size());
  for (Eigen::Index i = 0; i < m_; ++i) {
    const Eigen::Index base = i * row_length_;
    row_inverse_pivot_(base) = 1.0 / row_diagonal_(base);
    for (Eigen::Index p = 1; p < row_length_; ++p) {
      const double link = row_link(p - 1);
      row_inverse_pivot_(base + p) =
          1.0 / (row_diagonal_(base + p) - link * link * row_inverse_pivot_(base + p - 1));
    }
  }
  column_inverse_pivot_.resize(column_size());
  for (Eigen::Index j = 0; j < n_; ++j) {
    column_inverse_pivot_(j) = 1.0 / column_diagonal_(j);
    for (Eigen::Index p = 1; p < column_length_; ++p) {
      const double link = column_link(p - 1);
      column_inverse_pivot_(p * n_ + j) =
          1.0 /
          (column_diagonal_(p * n_ + j) - link * link * column_inverse_pivot_((p - 1) * n_ + j));
    }
  }
}

void LineOperator::initial_state(const Eigen::VectorXd& input_volt, Eigen::VectorXd& row_volt,
                                 Eigen::VectorXd& column_volt,
                                 Eigen::VectorXd& row_injection_ampere) const {
  row_volt.setZero(row_size());
  column_volt.setZero(column_size());
  row_injection_ampere.setZero(row_size());
  for (Eigen::Index i = 0; i < m_; ++i) {
    if (row_held_) {
      row_volt(i * row_length_) = input_volt(i);
    } else {
      row_injection_ampere(i * row_length_) = g_source_ * input_volt(i);
    }
  }
}

double LineOperator::residual(const Eigen::VectorXd& row_volt, const Eigen::VectorXd& column_volt,
                              const Eigen::VectorXd& row_injection_ampere,
                              Eigen::VectorXd& row_residual,
                              Eigen::VectorXd& column_residual) const {
  row_residual.resize(row_size());
  column_residual.resize(column_size());
  double total_ampere = 0.0;
  // Row nodes: injected current minus the current leaving through each branch.
#pragma omp parallel for if (row_size() > parallel_work) reduction(+ : total_ampere)
  for (Eigen::Index i = 0; i < m_; ++i) {
    const Eigen::Index base = i * row_length_;
    const double* x = row_volt.data() + base;
    double* r = row_residual.data() + base;
    for (Eigen::Index p = 0; p < row_length_; ++p) {
      double leaving = 0.0;
      if (p > 0) {
        leaving += g_row_ * (x[p] - x[p - 1]);
      }
      if (p + 1 < row_length_) {
        leaving += g_row_ * (x[p] - x[p + 1]);
      }
      r[p] = row_injection_ampere(base + p) - leaving;
    }
    if (!row_held_) {
      r[0] -= g_source_ * x[0];
    }
    const double* xc = column_volt.data() + column_position(i) * n_;
    for (Eigen::Index j = 0; j < n_; ++j) {
      const Eigen::Index p = row_position(j);
      r[p] -= g_siemens_(i, j) * (x[p] - xc[j]);
    }
    if (row_held_) {
      r[0] = 0.0;
    }
    for (Eigen::Index p = 0; p < row_length_; ++p) {
      total_ampere += std::abs(r[p]);
    }
  }
  // Column nodes: no injection; the current leaving through each branch.
  const Eigen::Index blocks = (n_ + column_block - 1) / column_block;
#pragma omp parallel for if (column_size() > parallel_work) reduction(+ : total_ampere)
  for (Eigen::Index block = 0; block < blocks; ++block) {
    const Eigen::Index first = block * column_block;
    const Eigen::Index last = std::min(n_, first + column_block);
    for (Eigen::Index p = 0; p < column_length_; ++p) {
      const double* x = column_volt.data() + p * n_;
      double* r = column_residual.data() + p * n_;
      for (Eigen::Index j = first; j < last; ++j) {
        double leaving = 0.0;
        if (p > 0) {
          leaving += g_col_ * (x[j] - x[j - n_]);
        }
        if (p + 1 < column_length_) {
          leaving += g_col_ * (x[j] - x[j + n_]);
        }
        r[j] = -leaving;
      }
    }
    if (!column_held_) {
      const Eigen::Index end = (column_length_ - 1) * n_;
      for (Eigen::Index j = first; j < last; ++j) {
        column_residual(end + j) -= g_sense_ * column_volt(end + j);
      }
    }
    for (Eigen::Index i = 0; i < m_; ++i) {
      const Eigen::Index base = column_position(i) * n_;
      for (Eigen::Index j = first; j < last; ++j) {
        column_residual(base + j) -=
            g_siemens_(i, j) *
            (column_volt(base + j) - row_volt(i * row_length_ + row_position(j)));
      }
    }
    for (Eigen::Index p = 0; p < column_length_; ++p) {
      for (Eigen::Index j = first; j < last; ++j) {
        if (column_held_ && p == column_length_ - 1) {
          column_residual(p * n_ + j) = 0.0;
        }
        total_ampere += std::abs(column_residual(p * n_ + j));
      }
    }
  }
  return total_ampere;
}

void LineOperator::solve_rows(const Eigen::VectorXd& rhs, Eigen::VectorXd& solution) const {
  solution.resize(row_size());
#pragma omp parallel for if (row_size() > parallel_work)
  for (Eigen::Index i = 0; i < m_; ++i) {
    const Eigen::Index base = i * row_length_;
    const double* b = rhs.data() + base;
    const double* inverse_pivot = row_inverse_pivot_.data() + base;
    double* x = solution.data() + base;
    x[0] = b[0];
    for (Eigen::Index p = 1; p < row_length_; ++p) {
      x[p] = b[p] + row_link(p - 1) * x[p - 1] * inverse_pivot[p - 1];
    }
    x[row_length_ - 1] *= inverse_pivot[row_length_ - 1];
    for (Eigen::Index p = row_length_ - 2; p >= 0; --p) {
      x[p] = (x[p] + row_link(p) * x[p + 1]) * inverse_pivot[p];
    }
  }
}

void LineOperator::solve_columns(const Eigen::VectorXd& rhs, Eigen::VectorXd& solution) const {
  solution.resize(column_size());
  const Eigen::Index blocks = (n_ + column_block - 1) / column_block;
#pragma omp parallel for if (column_size() > parallel_work)
  for (Eigen::Index block = 0; block < blocks; ++block) {
    const Eigen::Index first = block * column_block;
    const Eigen::Index last = std::min(n_, first + column_block);
    for (Eigen::Index j = first; j < last; ++j) {
      solution(j) = rhs(j);
    }
    for (Eigen::Index p = 1; p < column_length_; ++p) {
      const double link = column_link(p - 1);
      const double* previous = solution.data() + (p - 1) * n_;
      const double* previous_pivot = column_inverse_pivot_.data() + (p - 1) * n_;
      const double* b = rhs.data() + p * n_;
      double* x = solution.data() + p * n_;
      for (Eigen::Index j = first; j < last; ++j) {
        x[j] = b[j] + link * previous[j] * previous_pivot[j];
      }
    }
    {
      const Eigen::Index end = (column_length_ - 1) * n_;
      for (Eigen::Index j = first; j < last; ++j) {
        solution(end + j) *= column_inverse_pivot_(end + j);
      }
    }
    for (Eigen::Index p = column_length_ - 2; p >= 0; --p) {
      const double link = column_link(p);
      const double* next = solution.data() + (p + 1) * n_;
      const double* inverse_pivot = column_inverse_pivot_.data() + p * n_;
      double* x = solution.data() + p * n_;
      for (Eigen::Index j = first; j < last; ++j) {
        x[j] = (x[j] + link * next[j]) * inverse_pivot[j];
      }
    }
  }
}

void LineOperator::multiply_columns(const Eigen::VectorXd& column_volt,
                                    Eigen::VectorXd& result) const {
  result.resize(column_size());
  const Eigen::Index blocks = (n_ + column_block - 1) / column_block;
#pragma omp parallel for if (column_size() > parallel_work)
  for (Eigen::Index block = 0; block < blocks; ++block) {
    const Eigen::Index first = block * column_block;
    const Eigen::Index last = std::min(n_, first + column_block);
    for (Eigen::Index p = 0; p < column_length_; ++p) {
      const double* x = column_volt.data() + p * n_;
      const double* diagonal = column_diagonal_.data() + p * n_;
      double* y = result.data() + p * n_;
      for (Eigen::Index j = first; j < last; ++j) {
        y[j] = diagonal[j] * x[j];
      }
      if (p > 0) {
        const double link = column_link(p - 1);
        for (Eigen::Index j = first; j < last; ++j) {
          y[j] -= link * x[j - n_];
        }
      }
      if (p + 1 < column_length_) {
        const double link = column_link(p);
        for (Eigen::Index j = first; j < last; ++j) {
          y[j] -= link * x[j + n_];
        }
      }
    }
  }
}

void LineOperator::couple_to_rows(const Eigen::VectorXd& column_volt,
                                  Eigen::VectorXd& row_result) const {
  row_result.resize(row_size());
#pragma omp parallel for if (row_size() > parallel_work)
  for (Eigen::Index i = 0; i < m_; ++i) {
    double* y = row_result.data() + i * row_length_;
    std::fill(y, y + row_length_, 0.0);
    const Eigen::Index position = column_position(i);
    if (column_held_ && position == column_length_ - 1) {
      continue;  // these column nodes are the virtual grounds
    }
    const double* x = column_volt.data() + position * n_;
    if (row_length_ == 1) {
      y[0] = g_siemens_.row(i).dot(Eigen::Map<const Eigen::RowVectorXd>(x, n_));
    } else {
      for (Eigen::Index j = 0; j < n_; ++j) {
        y[j] = g_siemens_(i, j) * x[j];
      }
    }
    if (row_held_) {
      y[0] = 0.0;
    }
  }
}

void LineOperator::couple_to_columns(const Eigen::VectorXd& row_volt,
                                     Eigen::VectorXd& column_result) const {
  column_result.resize(column_size());
  const Eigen::Index blocks = (n_ + column_block - 1) / column_block;
#pragma omp parallel for if (column_size() > parallel_work)
  for (Eigen::Index block = 0; block < blocks; ++block) {
    const Eigen::Index first = block * column_block;
    const Eigen::Index last = std::min(n_, first + column_block);
    for (Eigen::Index p = 0; p < column_length_; ++p) {
      std::fill(column_result.data() + p * n_ + first, column_result.data() + p * n_ + last, 0.0);
    }
    for (Eigen::Index i = 0; i < m_; ++i) {
      const Eigen::Index position = column_position(i);
      if (column_held_ && position == column_length_ - 1) {
        continue;
      }
      double* y = column_result.data() + position * n_;
      const double* x = row_volt.data() + i * row_length_;
      if (row_length_ == 1) {
        const double x_row = row_held_ ? 0.0 : x[0];
        for (Eigen::Index j = first; j < last; ++j) {
          y[j] += g_siemens_(i, j) * x_row;
        }
      } else {
        // Row node (i, 0) gives nothing when it is held at its input voltage.
        const Eigen::Index start = row_held_ && first == 0 ? 1 : first;
        for (Eigen::Index j = start; j < last; ++j) {
          y[j] += g_siemens_(i, j) * x[j];
        }
      }
    }
  }
}

Eigen::VectorXd LineOperator::output_currents(const Eigen::VectorXd& row_volt,
                                              const Eigen::VectorXd& column_volt) const {
  Eigen::VectorXd currents(n_);
  const Eigen::Index end = (column_length_ - 1) * n_;
  if (!column_held_) {
    // The current through r_sense into the virtual ground.
    for (Eigen::Index j = 0; j < n_; ++j) {
      currents(j) = g_sense_ * column_volt(end + j);
    }
    return currents;
  }
  // The virtual ground is the last column node itself: the current flowing into it through
  // the column wire above and through every device attached to it.
  for (Eigen::Index j = 0; j < n_; ++j) {
    currents(j) = column_length_ >= 2 ? g_col_ * column_volt(end - n_ + j) : 0.0;
  }
  for (Eigen::Index i = 0; i < m_; ++i) {
    if (column_position(i) != column_length_ - 1) {
      continue;
    }
    for (Eigen::Index j = 0; j < n_; ++j) {
      currents(j) += g_siemens_(i, j) * row_volt(i * row_length_ + row_position(j));
    }
  }
  return currents;
}

TileNodeVoltages LineOperator::node_voltages(const Eigen::VectorXd& row_volt,
                                             const Eigen::VectorXd& column_volt) const {
  TileNodeVoltages voltages{Eigen::MatrixXd(m_, n_), Eigen::MatrixXd(m_, n_)};
  for (Eigen::Index i = 0; i < m_; ++i) {
    for (Eigen::Index j = 0; j < n_; ++j) {
      voltages.row_volt(i, j) = row_volt(i * row_length_ + row_position(j));
      voltages.column_volt(i, j) = column_volt(column_position(i) * n_ + j);
    }
  }
  return voltages;
}

}  // namespace imcosim::solver
