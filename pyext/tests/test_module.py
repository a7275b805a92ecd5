"""The Python side of hpp's extension module (chapter 8): `import hpp` gives
the same answers as plain Python, and wrong input raises an exception
instead of crashing the interpreter. Run: python -m unittest discover -s pyext/tests"""

import ctypes
import threading
import unittest

import numpy as np

import hpp

C = complex(-0.62772, -0.42193)


def calculate_z_python(maxiter, zs, cs):
    """The book's loop, in plain Python: the reference."""
    output = []
    for z, c in zip(zs, cs):
        n = 0
        while n < maxiter and abs(z) < 2:
            z = z * z + c
            n += 1
        output.append(n)
    return output


def book_points(width):
    """The book's grid, built by adding the step again and again."""
    x1, x2, y1, y2 = -1.8, 1.8, -1.8, 1.8
    x_step, y_step = (x2 - x1) / width, (y1 - y2) / width
    xs, ys = [], []
    y = y2
    while y > y1:
        ys.append(y)
        y += y_step
    x = x1
    while x < x2:
        xs.append(x)
        x += x_step
    return [complex(x, y) for y in ys for x in xs]


def diffusion_numpy(grid):
    lap = (np.roll(grid, 1, 0) + np.roll(grid, -1, 0) + np.roll(grid, 1, 1)
           + np.roll(grid, -1, 1) - 4 * grid)
    return grid + 0.1 * lap


def native_library():
    """The compiled library behind `import hpp` (a package wrapping it, or
    the module itself)."""
    return ctypes.CDLL(getattr(hpp, "hpp", hpp).__file__)


class Julia(unittest.TestCase):
    def setUp(self):
        self.zs_list = book_points(80)
        self.want = calculate_z_python(60, self.zs_list, [C] * len(self.zs_list))
        self.zs = np.array(self.zs_list, np.complex128)
        self.cs = np.full(len(self.zs), C, np.complex128)

    def test_every_route_matches_plain_python(self):
        for name in ("calculate_z", "calculate_z_holding_gil", "calculate_z_rayon"):
            out = np.zeros(len(self.zs), np.int32)
            getattr(hpp, name)(60, self.zs, self.cs, out)
            self.assertEqual(out.tolist(), self.want, name)
        out = np.zeros(len(self.zs), np.int32)
        hpp.calculate_z_rayon(60, self.zs, self.cs, out, threads=3)
        self.assertEqual(out.tolist(), self.want)

    def test_the_c_abi_matches(self):
        lib = native_library()
        lib.hpp_calculate_z.argtypes = [ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p,
                                        ctypes.c_void_p, ctypes.c_size_t]
        lib.hpp_calculate_z.restype = None
        out = np.zeros(len(self.zs), np.int32)
        lib.hpp_calculate_z(60, self.zs.ctypes.data, self.cs.ctypes.data, out.ctypes.data,
                            len(self.zs))
        self.assertEqual(out.tolist(), self.want)
        lib.hpp_noop()

    def test_wrong_input_raises(self):
        out = np.zeros(len(self.zs), np.int32)
        with self.assertRaises(ValueError):  # lengths differ
            hpp.calculate_z(60, self.zs, self.cs, out[:-1])
        with self.assertRaises(TypeError):  # complex64, not complex128
            hpp.calculate_z(60, self.zs.astype(np.complex64), self.cs, out)
        with self.assertRaises(TypeError):  # int64 output
            hpp.calculate_z(60, self.zs, self.cs, out.astype(np.int64))
        with self.assertRaises(ValueError):  # not contiguous
            hpp.calculate_z(60, self.zs[::2], self.cs[::2], out[: len(out[::2])])
        with self.assertRaises(OverflowError):  # a negative limit
            hpp.calculate_z(-1, self.zs, self.cs, out)
        with self.assertRaises(TypeError):  # a list, not an array
            hpp.calculate_z(60, self.zs_list, self.cs, out)
        self.assertEqual(out.tolist(), [0] * len(out))  # nothing was written


class Diffusion(unittest.TestCase):
    def setUp(self):
        self.grid = np.zeros((64, 64))
        self.grid[25:32, 25:32] = 0.005

    def test_matches_numpy(self):
        out = np.zeros_like(self.grid)
        hpp.diffusion_step(self.grid, out)
        self.assertLess(np.abs(out - diffusion_numpy(self.grid)).max(), 1e-15)
        lib = native_library()
        lib.hpp_diffusion_step.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
        back = np.zeros_like(self.grid)
        lib.hpp_diffusion_step(self.grid.ctypes.data, back.ctypes.data, 64)
        self.assertTrue((back == out).all())

    def test_wrong_input_raises(self):
        with self.assertRaises(ValueError):  # not square
            hpp.diffusion_step(np.zeros((4, 5)), np.zeros((4, 5)))
        with self.assertRaises(ValueError):  # shapes differ
            hpp.diffusion_step(self.grid, np.zeros((32, 32)))
        with self.assertRaises(TypeError):  # float32
            hpp.diffusion_step(self.grid, np.zeros((64, 64), np.float32))
        with self.assertRaises(ValueError):  # a view that is not C-contiguous
            hpp.diffusion_step(np.zeros((64, 128))[:, ::2], np.zeros((64, 64)))
        with self.assertRaises(Exception):  # the same array as input and output
            hpp.diffusion_step(self.grid, self.grid)


class Boundary(unittest.TestCase):
    def test_sums(self):
        values = [0.5 * i for i in range(1000)]  # exact in binary: any order sums alike
        self.assertEqual(hpp.sum_list(values), sum(values))
        self.assertEqual(hpp.sum_array(np.array(values)), sum(values))
        self.assertEqual(hpp.sum_array(np.zeros(0)), 0.0)
        self.assertIsNone(hpp.noop())
        with self.assertRaises(TypeError):
            hpp.sum_list(["a"])


class Threads(unittest.TestCase):
    def test_released_gil_lets_threads_run_together(self):
        zs = np.array(book_points(120), np.complex128)
        cs = np.full(len(zs), C)
        outs = [np.zeros(len(zs), np.int32) for _ in range(4)]
        threads = [threading.Thread(target=hpp.calculate_z, args=(100, zs, cs, o)) for o in outs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(all((o == outs[0]).all() for o in outs))
        self.assertGreater(outs[0].sum(), 0)


if __name__ == "__main__":
    unittest.main()
